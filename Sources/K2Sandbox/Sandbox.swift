import OrderedJSON
import Locking

/// One running sandbox: the scenario it started from and the state that has grown since,
/// behind a single lock. Every method is a short critical section, so the server's threads
/// call it directly; nothing here does I/O (see `SandboxRunner` for delivering callbacks).
public final class Sandbox: Sendable {
    public let scenario: Scenario
    private let state: Locked<SandboxState>
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
        self.state = Locked(SandboxState.initial(
            scenario: scenario, start: scenario.clock.start ?? defaultStart, monotonic: monotonicNanoseconds))
    }

    // MARK: Clock

    public func now() -> Timestamp { state.withLock { $0.clock.now() } }

    public var clockMode: ClockMode { scenario.clock.mode }
    public var clockScale: Double { scenario.clock.scale }

    /// Moves sandbox time forward by `span`, applying every stage change that falls due (each
    /// stamped with its own due time). Deliveries are left for `nextStep`/`popDueDeliveries`:
    /// this is the socket-free part of `SandboxRunner.advance`.
    @discardableResult
    public func advance(by span: TimeSpan) -> [Transition] {
        state.withLock { state in
            state.clock.advance(by: span)
            return state.runDueTransitions()
        }
    }

    /// The time an advance by `span` runs up to. On a real clock the jump happens now.
    public func beginAdvance(by span: TimeSpan) -> Timestamp {
        state.withLock { state in
            if state.clock.mode == .real {
                state.clock.advance(by: span)
                return state.clock.now()
            }
            return state.clock.now() + span
        }
    }

    /// Ends an advance: a manual clock now reads `target`.
    public func endAdvance(at target: Timestamp) {
        state.withLock { $0.clock.advance(to: target) }
    }

    /// The next event due at or before `target`, in due order (ties in scheduling order): a
    /// stage change is applied and returned; a delivery is returned for the caller to send
    /// and report with `record`.
    public func nextStep(upTo target: Timestamp) -> SandboxStep? {
        state.withLock { $0.nextStep(upTo: target) }
    }

    /// Applies stage changes due now (a real clock's driver calls this; reads do too).
    @discardableResult
    public func runDueEvents() -> [Transition] {
        state.withLock { $0.runDueTransitions() }
    }

    /// Deliveries due now, taken off the queue for sending (real clock).
    public func popDueDeliveries() -> [DeliveryJob] {
        state.withLock { state in
            let now = state.clock.now()
            var jobs: [DeliveryJob] = []
            while let (due, id) = state.deliveryQueue.popDue(at: now) {
                if let job = state.job(for: id, at: due) { jobs.append(job) }
            }
            return jobs
        }
    }

    /// Wall nanoseconds until the next scheduled event on a real clock; nil when none is
    /// scheduled or the clock is manual.
    public func wallNanosecondsUntilNextEvent() -> UInt64? {
        state.withLock { state in
            let next = [state.transitions.nextDue, state.deliveryQueue.nextDue].compactMap { $0 }.min()
            return next.flatMap { state.clock.wallNanoseconds(until: $0) }
        }
    }

    /// Back to the scenario's initial state: clock at its start, fixtures as loaded, issued
    /// tokens, created resources and deliveries gone, id streams restarted from the seed.
    public func reset() {
        var fresh = SandboxState.initial(
            scenario: scenario, start: scenario.clock.start ?? defaultStart, monotonic: monotonicNanoseconds)
        state.withLock { state in
            fresh.epoch = state.epoch + 1
            state = fresh
        }
    }

    // MARK: Deliveries

    /// Records how an attempt went; a failure is retried per the scenario's `callbacks.retry`.
    public func record(_ job: DeliveryJob, _ result: DeliveryResult, retry: Bool = true) {
        state.withLock { $0.record(job, result, retry: retry) }
    }

    /// Fires a webhook event now (`POST /__admin/events`); its deliveries are due at once (or
    /// after the event's delay) and go out with the next advance or real-clock tick.
    public func fire(_ event: ScriptedEvent) -> FiredEvent {
        state.withLock { state in state.fire(event, at: state.clock.now()) }
    }

    /// How many deliveries are pending, delivered and failed.
    public func deliveryCounts() -> (pending: Int, delivered: Int, failed: Int) {
        state.withLock { state in
            var counts = (pending: 0, delivered: 0, failed: 0)
            for delivery in state.deliveries {
                switch delivery.outcome {
                case .pending: counts.pending += 1
                case .delivered: counts.delivered += 1
                case .failed: counts.failed += 1
                }
            }
            return counts
        }
    }

    /// Journals a K2 API request (the request journal keeps the latest 100,000); returns the
    /// sandbox time it was journalled at.
    @discardableResult
    public func recordRequest(method: String, path: String, status: Int) -> Timestamp {
        state.withLock { state in
            if state.requests.count >= 100_000 { state.requests.removeFirst(10_000) }
            let now = state.clock.now()
            state.requests.append(RequestRecord(at: now, method: method, path: path, status: status))
            return now
        }
    }

    /// The request journal, oldest first.
    public func requests() -> [RequestRecord] {
        state.withLock { $0.requests }
    }

    /// The fault that applies to this request, if any (each match counts towards `nth`).
    public func fault(method: String, path: String) -> Fault? {
        guard !scenario.faults.isEmpty else { return nil }
        return state.withLock { state in
            var applies: Fault?
            for (index, fault) in scenario.faults.enumerated() where fault.matches(method: method, path: path) {
                state.faultMatches[index, default: 0] += 1
                if applies == nil, fault.nth == nil || fault.nth == state.faultMatches[index] { applies = fault }
            }
            return applies
        }
    }

    /// Checks the scenario's expectations against the journals now.
    public func verify() -> [ExpectationResult] {
        state.withLock { state in
            scenario.expectations.map { expectation in
                let actual: Int
                switch expectation.subject {
                case .requests(let method, let path):
                    actual = state.requests.filter { record in
                        (method.map { $0.uppercased() == record.method } ?? true) && (path.map { globMatches($0, record.path) } ?? true)
                    }.count
                case .callbacks(let outcome, let kind, let url):
                    actual = state.deliveries.filter { delivery in
                        (outcome.map { $0 == delivery.outcome.rawValue } ?? true) && (kind.map { $0 == delivery.kind.rawValue } ?? true)
                            && (url.map { globMatches($0, delivery.url) } ?? true)
                    }.count
                }
                return ExpectationResult(expectation: expectation, actual: actual)
            }
        }
    }

    /// The journal: every delivery with every attempt, oldest first.
    public func deliveries() -> [Delivery] {
        state.withLock { $0.deliveries }
    }

    /// A fresh attempt of delivery `id`, to send now (not retried if it fails).
    public func redeliveryJob(_ id: Int) -> DeliveryJob? {
        state.withLock { state in state.job(for: id, at: state.clock.now()) }
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

    /// Creates a resource from a validated request for `clientID` (whose api key signs its
    /// callback); `origin` and `version` are where the client made it, for its `self` link.
    public func create(
        _ request: CreateRequest, clientID: String, origin: String, version: Int
    ) throws(RequestError) -> (kind: ResourceKind, id: String) {
        let timelines = scenario.timelines
        let result: Result<(ResourceKind, String), RequestError> = state.withLock { state in
            state.runDueTransitions()
            do throws(RequestError) {
                return .success(try state.create(request, timelines: timelines,
                                                 origin: Origin(url: origin, version: version, clientID: clientID)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Cancels a payment link.
    public func cancelPaymentLink(_ id: String) -> PaymentLinkCancellation {
        state.withLock { state in
            state.runDueTransitions()
            return state.cancelPaymentLink(id)
        }
    }

    /// The rendered body of a resource, if it exists (ids compare case-insensitively).
    public func resource(_ kind: ResourceKind, id: String) -> SelfLinkedBody? {
        let key = ResourceKey(kind: kind, id: id)
        return state.withLock { state in
            state.runDueTransitions()
            return state.resources[key]?.body
        }
    }

    /// The system's wall time.
    public static func wallClockNow() -> Timestamp {
        Timestamp(milliseconds: wallMilliseconds())
    }
}

/// What came of cancelling a payment link.
public enum PaymentLinkCancellation: Sendable {
    case cancelled
    case notFound
    case alreadyPaid
}

/// What `Sandbox.nextStep` found due.
public enum SandboxStep: Sendable {
    case transition(Transition)
    case event(FiredEvent)
    case delivery(DeliveryJob)
}

/// A webhook event that fired, and the deliveries it made (one per matching subscription,
/// more with duplicates).
public struct FiredEvent: Sendable, Equatable {
    public var at: Timestamp
    public var topic: WebhookTopic
    public var id: String
    public var deliveryIDs: [Int]
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

/// Where a resource was created: the origin and API version the client used, and the client.
struct Origin: Sendable {
    var url: String
    var version: Int
    var clientID: String
}

/// A resource as the store keeps it: its current body, rendered when its stage changed, and for
/// created resources what it was created from and where it is on its timeline.
struct StoredResource: Sendable {
    var kind: ResourceKind
    var id: String
    var body: SelfLinkedBody
    var record: ResourceRecord?
    var lifecycle: Lifecycle?
    var origin: Origin?
    /// How its callback misbehaves (from the timeline rule it matched).
    var quirks = DeliveryQuirks()

    mutating func render() {
        guard let record else { return }
        body = SelfLinkedBody(document: renderDocument(kind: kind, id: id, record: record, lifecycle: lifecycle))
    }

    /// The body as its client would GET it where it created it.
    var callbackBody: [UInt8]? {
        guard let origin else { return nil }
        return body.body(selfURL: origin.url + kind.path(id: id, version: origin.version))
    }
}

/// A stage change the scheduler runs when it falls due.
struct ScheduledTransition: Sendable {
    let key: ResourceKey
    let step: Int
}

/// A buygoods transaction the sandbox saw, for polling requests.
struct LoggedTransaction: Sendable {
    let at: Timestamp
    let till: String?
    let resource: JSONObject
}

/// What the time-ordered queue holds besides deliveries.
enum TimedEvent: Sendable {
    case transition(ScheduledTransition)
    case webhook(ScriptedEvent)
}

/// Everything that changes while a sandbox runs.
struct SandboxState: Sendable {
    var clock: SandboxClock
    var ids: IdentifierSource
    var tokens: TokenStore
    var resources: [ResourceKey: StoredResource]
    let apiKeys: [String: String]
    let callbackSettings: CallbackSettings
    var transitions = Scheduler<TimedEvent>()
    /// Delivery ids, sharing `sequence` with `transitions` so ties keep scheduling order.
    var deliveryQueue = Scheduler<Int>()
    var sequence = 0
    /// Incremented by every reset; deliveries in flight across one are not recorded.
    var epoch = 0
    var deliveries: [Delivery] = []
    /// Webhook subscriptions in the order they were made.
    var subscriptions: [ResourceKey] = []
    /// Buygoods transactions received (fired events), for polling.
    var transactionLog: [LoggedTransaction] = []
    /// K2 API requests, oldest first.
    var requests: [RequestRecord] = []
    /// How many requests each fault has matched.
    var faultMatches: [Int: Int] = [:]

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
        var apiKeys: [String: String] = [:]
        for client in scenario.credentials { apiKeys[client.clientID] = client.apiKey }
        var state = SandboxState(clock: clock, ids: IdentifierSource(seed: scenario.seed), tokens: tokens,
                                 resources: resources, apiKeys: apiKeys, callbackSettings: scenario.callbacks)
        for event in scenario.events { state.schedule(.webhook(event), at: start + event.at) }
        return state
    }

    mutating func schedule(_ event: TimedEvent, at due: Timestamp) {
        transitions.schedule(event, at: due, sequence: sequence)
        sequence += 1
    }

    mutating func scheduleDelivery(_ id: Int, at due: Timestamp) {
        deliveryQueue.schedule(id, at: due, sequence: sequence)
        sequence += 1
    }
}
