import Locking
import OrderedJSON

/// One running sandbox: the scenario it started from and the state that has grown since, behind
/// one lock. A thin facade: each method is a short critical section over one part of the state
/// (clock, tokens, store, timeline, deliveries, journals), so the server's threads call it
/// directly; nothing here does I/O (`SandboxRunner` sends deliveries).
public final class Sandbox: Sendable {
    public let scenario: Scenario
    private let state: Locked<SandboxState>
    private let advancing = AsyncSerialGate()
    private let monotonicNanoseconds: @Sendable () -> UInt64
    /// Sandbox time when this sandbox was made, for scenarios whose clock has no `start`.
    private let defaultStart: Timestamp

    /// A sandbox at the scenario's start. `monotonicNanoseconds` drives a real clock and
    /// `wallClock` says when "now" is for scenarios without `clock.start` (both for tests).
    public init(
        scenario: Scenario,
        monotonicNanoseconds: @escaping @Sendable () -> UInt64 = SandboxClock.systemMonotonic,
        wallClock: () -> Timestamp = Sandbox.wallClockNow
    ) {
        self.scenario = scenario
        self.monotonicNanoseconds = monotonicNanoseconds
        self.defaultStart = wallClock()
        self.state = Locked(SandboxState(
            scenario: scenario, start: scenario.clock.start ?? defaultStart, monotonic: monotonicNanoseconds))
    }

    /// Hears every change (`GET /__admin/stream`).
    public let changes = ChangeFeed()

    /// The kinds this sandbox serves (the scenario's registry).
    public var kinds: KindRegistry { scenario.kinds }

    /// Runs `body` under the lock and tells the change feed what it changed, still under the
    /// lock so that every listener hears changes in the order they happened.
    private func locked<T>(_ body: (inout SandboxState) throws -> T) rethrows -> T {
        try state.withLock { state -> T in
            defer {
                if !state.unpublished.isEmpty {
                    changes.publish(state.unpublished)
                    state.unpublished.removeAll(keepingCapacity: true)
                }
            }
            return try body(&state)
        }
    }

    // MARK: Time

    /// Sandbox time now.
    public func now() -> Timestamp { locked { $0.clock.now() } }

    public var clockMode: ClockMode { scenario.clock.mode }
    /// Sandbox seconds per wall second on a real clock.
    public var clockScale: Double { scenario.clock.scale }

    /// Moves sandbox time forward by `span` and runs everything that falls due (stage changes,
    /// scripted events, delivery attempts and their retries) in due order, ties in scheduling
    /// order, each at its own due time; every attempt is sent through `deliver` and awaited
    /// before the next entry, so the same scenario gives the same journal. A manual clock reads
    /// the target at the end; a real clock jumps at once. Advances run one at a time.
    /// Returns what happened, in order, and whether the transport stopped it short (then a
    /// manual clock reads the due time of the attempt it could not make, which stays due).
    public func advance(
        by span: TimeSpan, deliver: @Sendable (DeliveryJob) async -> DeliveryResult
    ) async -> Advance {
        await advancing.run {
            let target = locked { state -> Timestamp in
                guard state.clock.mode == .real else { return state.clock.now() + span }
                state.clock.advance(by: span)
                return state.clock.now()
            }
            var happened: [Occurrence] = []
            var stoppedAt: Timestamp?
            taking: while let work = locked({ $0.takeNext(dueBy: target) }) {
                switch work {
                case .happened(let occurrence):
                    happened.append(occurrence)
                case .send(let job):
                    let result = await deliver(job)
                    locked { $0.record(job, result) }
                    // The transport is stopping: what is left stays due.
                    if result.interrupted {
                        stoppedAt = job.due
                        break taking
                    }
                    happened.append(.attempt(job, result))
                }
            }
            locked { state in
                state.clock.advance(to: stoppedAt ?? target)
                state.unpublished.append(.clock(now: state.clock.now()))
            }
            return Advance(happened: happened, stoppedShortAt: stoppedAt)
        }
    }

    /// Applies what fell due and takes every delivery attempt due now, for a real clock's
    /// sender; report each with `record`.
    func takeDueAttempts() -> [DeliveryJob] {
        locked { $0.takeDueAttempts() }
    }

    /// Wall nanoseconds until the next entry on the timeline falls due on a real clock; nil when
    /// nothing is scheduled or the clock is manual.
    func wallNanosecondsUntilNextDue() -> UInt64? {
        locked { state in state.timeline.nextDue.flatMap { state.clock.wallNanoseconds(until: $0) } }
    }

    /// Back to the scenario's initial state: clock at its start, fixtures as loaded, issued
    /// tokens, created resources, deliveries and journals gone, id streams restarted from the
    /// seed. Attempts in flight across a reset are not recorded.
    public func reset() {
        var fresh = SandboxState(scenario: scenario, start: scenario.clock.start ?? defaultStart, monotonic: monotonicNanoseconds)
        locked { state in
            fresh.epoch = state.epoch + 1
            state = fresh
            state.unpublished.append(.reset)
        }
    }

    // MARK: Deliveries

    /// Records how an attempt went; a failed scheduled one is retried per the scenario's
    /// `callbacks.retry` (see `DeliveryBook.record`).
    func record(_ job: DeliveryJob, _ result: DeliveryResult) {
        locked { $0.record(job, result) }
    }

    /// A redelivery of delivery `id` by hand, to send now: an extra attempt outside the retry
    /// policy; nil if there is no such delivery.
    func redeliveryJob(_ id: Int) -> DeliveryJob? {
        locked { state in
            let now = state.clock.now()
            return state.deliveries.job(for: id, at: now, epoch: state.epoch, redelivery: true, takenAt: now)
        }
    }

    /// Fires a webhook event now (`POST /__admin/events`); its attempts are due at once (or after
    /// the event's delay) and go out with the next advance or real-clock tick.
    public func fire(_ event: ScriptedEvent) -> FiredEvent {
        locked { state in state.fire(event, at: state.clock.now()) }
    }

    /// The journal: every delivery with every attempt, oldest first.
    public func deliveries() -> [Delivery] {
        locked { $0.deliveries.deliveries }
    }

    /// How many deliveries are pending, delivered and failed.
    public func deliveryCounts() -> (pending: Int, delivered: Int, failed: Int) {
        locked { $0.deliveries.counts }
    }

    // MARK: Journals

    /// Journals a K2 API request (the latest 100,000 are kept); returns the sandbox time it was
    /// journalled at.
    @discardableResult
    public func recordRequest(method: String, path: String, status: Int) -> Timestamp {
        locked { state in
            let now = state.clock.now()
            state.requests.append(RequestRecord(at: now, method: method, path: path, status: status))
            if changes.hasSubscribers { state.unpublished.append(.request(method: method, path: path, status: status, at: now)) }
            return now
        }
    }

    /// The request journal, oldest first.
    public func requests() -> [RequestRecord] {
        locked { $0.requests.records }
    }

    /// The scenario's fault that answers this request, if any (each match counts towards `nth`).
    public func fault(method: String, path: String) -> Fault? {
        guard !scenario.faults.isEmpty else { return nil }
        return locked { $0.faults.fault(method: method, path: path) }
    }

    /// The scenario's expectations checked against the journals now.
    public func verify() -> [ExpectationResult] {
        locked { state in
            scenario.expectations.map { expectation in
                let actual = switch expectation.subject {
                case .requests(let method, let path): state.requests.count(method: method, path: path)
                case .callbacks(let outcome, let kind, let url): state.deliveries.count(outcome: outcome, kind: kind, url: url)
                }
                return ExpectationResult(expectation: expectation, actual: actual)
            }
        }
    }

    // MARK: OAuth

    /// The client whose id and secret these are (secret compared in constant time).
    public func client(id: String, secret: String) -> ClientCredentials? {
        guard let client = scenario.credentials.first(where: { $0.clientID == id }),
              constantTimeEquals(client.clientSecret, secret) else { return nil }
        return client
    }

    /// Issues a new bearer token to a client that `client(id:secret:)` authenticated; it lives
    /// the client's `token_ttl` seconds of sandbox time.
    public func issueToken(to client: ClientCredentials) -> AccessToken {
        locked { state in
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
        return locked { $0.tokens.check(digest, at: $0.clock.now()) }
    }

    /// Revokes a token; false when it was unknown (which OAuth answers the same way).
    @discardableResult
    public func revokeToken(_ value: String) -> Bool {
        locked { $0.tokens.revoke(value) }
    }

    // MARK: Resources

    /// Creates a resource of `kind` from its create request's JSON body for `clientID` (whose api
    /// key signs its callback); `origin` and `version` are where the client made it, for its
    /// `self` link. Returns its id. Throws `RequestError` (K2's 400) for a refused request, which
    /// changes nothing; an unknown kind is refused the same way.
    public func create(
        _ kind: ResourceKind, body: JSONObject, clientID: String, origin: String, version: Int
    ) throws(RequestError) -> String {
        guard let definition = kinds.definition(of: kind) else { throw RequestError("Unknown resource kind \(kind)") }
        let origin = Origin(url: origin, version: version, clientID: clientID)
        let result: Result<String, RequestError> = locked { state in
            do throws(RequestError) {
                return .success(try state.create(definition, body: body, origin: origin))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Performs `action` on the created resource `kind`/`id`; nil when there is none.
    public func perform(_ action: ResourceAction, on kind: ResourceKind, id: String) -> ActionOutcome? {
        locked { $0.perform(action, on: kind, id: id) }
    }

    /// The rendered body of a resource, if it exists (ids compare case-insensitively).
    public func resource(_ kind: ResourceKind, id: String) -> SelfLinkedBody? {
        let key = ResourceKey(kind: kind, id: id)
        return locked { state in
            state.applyDueChanges()
            return state.store[key]?.body
        }
    }

    /// Every resource, fixtures first, then created ones oldest first, at the stage each has
    /// reached by now.
    public func resources() -> [ResourceSnapshot] {
        locked { state in
            state.applyDueChanges()
            return state.store.snapshots(kinds: scenario.kinds)
        }
    }

    /// A fired webhook event's envelope with its links on `origin` (`GET /webhook_events/<id>`).
    public func webhookEvent(_ id: String, origin: String) -> JSON? {
        locked { $0.events.event(id) }?.envelope(origin: origin)
    }

    /// The resource a fired event carried, as `{"data":{"id","type","attributes"}}` with `type`
    /// its collection (`GET /financial_transaction/<id>`); k2mock's own shape, as K2 documents none.
    public func eventResource(_ id: String, in collection: String) -> JSON? {
        guard let entry = locked({ $0.events.event(carrying: id, in: collection) }) else { return nil }
        return ["data": ["id": .string(entry.resourceID), "type": .string(collection), "attributes": .object(entry.resource)]]
    }

    /// The system's wall time.
    public static func wallClockNow() -> Timestamp {
        Timestamp(milliseconds: wallMilliseconds())
    }
}
