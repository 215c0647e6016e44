import OrderedJSON
import Synchronization

/// One running sandbox: the scenario it started from and the state that has grown since,
/// behind a single lock. Every method is a short critical section, so the server's threads
/// call it directly.
public final class Sandbox: Sendable {
    public let scenario: Scenario
    private let state: Mutex<SandboxState>
    private let monotonicNanoseconds: @Sendable () -> UInt64
    /// Sandbox time when this sandbox was made, for scenarios whose clock has no `start`.
    private let defaultStart: Timestamp

    public init(
        scenario: Scenario,
        monotonicNanoseconds: @escaping @Sendable () -> UInt64 = SandboxClock.systemMonotonic,
        wallClock: () -> Timestamp = Sandbox.wallClockNow
    ) {
        self.scenario = scenario
        self.monotonicNanoseconds = monotonicNanoseconds
        self.defaultStart = wallClock()
        self.state = Mutex(SandboxState.initial(
            scenario: scenario, start: scenario.clock.start ?? defaultStart, monotonic: monotonicNanoseconds))
    }

    // MARK: Clock

    public func now() -> Timestamp { state.withLock { $0.clock.now() } }

    public var clockMode: ClockMode { scenario.clock.mode }
    public var clockScale: Double { scenario.clock.scale }

    /// Moves sandbox time forward by `span` and runs, in due-time order, every transition that
    /// falls due; returns them. Each is stamped with its own due time, not the target time.
    @discardableResult
    public func advance(by span: TimeSpan) -> [Transition] {
        state.withLock { state in
            var ran = state.runDue()
            state.clock.advance(by: span)
            ran += state.runDue()
            return ran
        }
    }

    /// Runs whatever has fallen due on a real clock (the background driver calls this).
    @discardableResult
    public func runDueEvents() -> [Transition] {
        state.withLock { $0.runDue() }
    }

    /// Wall nanoseconds until the next scheduled event on a real clock; nil when none is
    /// scheduled or the clock is manual.
    public func wallNanosecondsUntilNextEvent() -> UInt64? {
        state.withLock { state in state.scheduler.nextDue.flatMap { state.clock.wallNanoseconds(until: $0) } }
    }

    // MARK: Creating resources

    /// Creates a resource from a validated request; returns its kind and id. Refusals that need
    /// the store (an unknown destination) are thrown as `RequestError`.
    public func create(_ request: CreateRequest) throws(RequestError) -> (kind: ResourceKind, id: String) {
        let timelines = scenario.timelines
        let result: Result<(ResourceKind, String), RequestError> = state.withLock { state in
            state.runDue()
            do throws(RequestError) {
                return .success(try state.create(request, timelines: timelines))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Back to the scenario's initial state: clock at its start, fixtures as loaded, issued
    /// tokens and created resources gone, id streams restarted from the seed.
    public func reset() {
        let fresh = SandboxState.initial(
            scenario: scenario, start: scenario.clock.start ?? defaultStart, monotonic: monotonicNanoseconds)
        state.withLock { $0 = fresh }
    }

    // MARK: OAuth

    /// The client whose id and secret these are (secret compared in constant time).
    public func client(id: String, secret: String) -> ClientCredentials? {
        guard let client = scenario.credentials.first(where: { $0.clientID == id }),
              constantTimeEquals(client.clientSecret, secret) else { return nil }
        return client
    }

    /// Issues a new bearer token to a client that `client(id:secret:)` authenticated.
    public func issueToken(to client: ClientCredentials) -> AccessToken {
        state.withLock { state in
            let now = state.clock.now()
            let token = AccessToken(
                value: state.ids.token(), clientID: client.clientID, createdAt: now,
                expiresAt: now + .seconds(client.tokenTTL))
            state.tokens.add(token)
            return token
        }
    }

    /// What `Authorization: Bearer <value>` amounts to now.
    public func checkToken(_ value: String?) -> TokenCheck {
        let digest = value.map(TokenDigest.init)
        return state.withLock { $0.tokens.check(digest, at: $0.clock.now()) }
    }

    /// Revokes a token; false when it was unknown (which OAuth answers the same way).
    @discardableResult
    public func revokeToken(_ value: String) -> Bool {
        state.withLock { $0.tokens.revoke(value) }
    }

    // MARK: Resources

    /// The rendered body of a resource, if it exists (ids compare case-insensitively).
    public func resource(_ kind: ResourceKind, id: String) -> SelfLinkedBody? {
        let key = ResourceKey(kind: kind, id: id)
        return state.withLock { state in
            state.runDue()
            return state.resources[key]?.body
        }
    }

    /// The system's wall time.
    public static func wallClockNow() -> Timestamp {
        Timestamp(milliseconds: wallMilliseconds())
    }
}

/// A resource's identity in the store.
struct ResourceKey: Hashable, Sendable {
    let kind: ResourceKind
    let id: String

    init(kind: ResourceKind, id: String) {
        self.kind = kind
        self.id = id.lowercased()
    }
}

/// A resource as the store keeps it: its current body, rendered when its stage changed, and for
/// created resources what it was created from and where it is on its timeline.
struct StoredResource: Sendable {
    var kind: ResourceKind
    var id: String
    var body: SelfLinkedBody
    var record: ResourceRecord?
    var lifecycle: Lifecycle?

    mutating func render() {
        guard let record else { return }
        body = SelfLinkedBody(document: renderDocument(kind: kind, id: id, record: record, lifecycle: lifecycle))
    }
}

/// Something the scheduler runs when it falls due.
enum ScheduledEvent: Sendable {
    case transition(ResourceKey, step: Int)
}

/// Everything that changes while a sandbox runs.
struct SandboxState: Sendable {
    var clock: SandboxClock
    var ids: IdentifierSource
    var tokens: TokenStore
    var resources: [ResourceKey: StoredResource]
    var scheduler = Scheduler<ScheduledEvent>()

    static func initial(scenario: Scenario, start: Timestamp, monotonic: @escaping @Sendable () -> UInt64) -> SandboxState {
        let clock = SandboxClock(mode: scenario.clock.mode, start: start, scale: scenario.clock.scale,
                                 monotonicNanoseconds: monotonic)
        var tokens = TokenStore()
        for token in scenario.tokens {
            tokens.add(AccessToken(value: token.value, clientID: token.clientID, createdAt: start,
                                   expiresAt: token.expiresIn.map { start + $0 }))
        }
        var resources: [ResourceKey: StoredResource] = [:]
        for fixture in scenario.fixtures {
            resources[ResourceKey(kind: fixture.kind, id: fixture.id)] =
                StoredResource(kind: fixture.kind, id: fixture.id, body: SelfLinkedBody(document: fixture.document))
        }
        return SandboxState(clock: clock, ids: IdentifierSource(seed: scenario.seed), tokens: tokens, resources: resources)
    }
}
