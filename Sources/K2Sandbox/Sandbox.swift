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
    public let defaultStart: Timestamp
    /// Where inputs are kept for a restart (`--data-dir`); nil keeps nothing.
    private let journal: (any SandboxJournal)?

    /// A sandbox at the scenario's start. `monotonicNanoseconds` drives a real clock and
    /// `wallClock` says when "now" is for scenarios without `clock.start` (both for tests).
    /// With a `journal`, every input is appended to it and each call that changes state returns
    /// only once its input is durable.
    public init(
        scenario: Scenario,
        monotonicNanoseconds: @escaping @Sendable () -> UInt64 = SandboxClock.systemMonotonic,
        wallClock: () -> Timestamp = Sandbox.wallClockNow,
        journal: (any SandboxJournal)? = nil
    ) {
        self.scenario = scenario
        self.monotonicNanoseconds = monotonicNanoseconds
        self.defaultStart = wallClock()
        self.journal = journal
        self.interrupted = Locked([])
        self.state = Locked(SandboxState(
            scenario: scenario, start: scenario.clock.start ?? defaultStart, monotonic: monotonicNanoseconds))
    }

    /// A sandbox rebuilt from what a journal kept: `commands` replayed in order, each at its
    /// recorded sandbox time, from the scenario's start (`defaultStart` for scenarios without
    /// `clock.start`). The clock then reads the last
    /// command's time (where a manual clock stood) plus `downtime`, the sandbox time a real
    /// clock ran on while k2mock was down, and moves on from there. Attempts that were taken but
    /// never ended (a crash) wait for `resumeInterruptedAttempts()`. New inputs go to `journal`.
    /// Throws `ReplayError` when a command does not replay as it first ran (a data directory
    /// from a different k2mock or scenario).
    public init(
        scenario: Scenario, defaultStart: Timestamp, restoring commands: some Sequence<RecordedCommand>,
        downtime: TimeSpan, journal: (any SandboxJournal)?,
        monotonicNanoseconds: @escaping @Sendable () -> UInt64 = SandboxClock.systemMonotonic
    ) throws(ReplayError) {
        self.scenario = scenario
        self.monotonicNanoseconds = monotonicNanoseconds
        self.defaultStart = defaultStart
        self.journal = journal
        var state = SandboxState(scenario: scenario, start: scenario.clock.start ?? defaultStart, monotonic: monotonicNanoseconds)
        state.store.reserveCapacity(commands.underestimatedCount)
        var replay = Replay()
        var index = 0, lastTime = state.clock.start
        for recorded in commands {
            index += 1
            do throws(ReplayError) {
                try replay.apply(recorded, to: &state, credentials: scenario.credentials)
            } catch {
                throw ReplayError(index: index, command: recorded.command.name, message: error.message)
            }
            lastTime = recorded.at
        }
        state.clock.resume(at: max(lastTime, replay.unfinishedAdvance ?? lastTime) + downtime)
        state.unpublished.removeAll()
        interrupted = Locked(replay.inFlight)
        self.state = Locked(state)
    }

    /// Puts back the request journal a data directory kept, oldest first, before the requests
    /// made since.
    public func restoreRequests(_ records: [RequestRecord]) {
        locked { state in
            let since = state.requests.records
            state.requests = RequestJournal()
            for record in records + since { state.requests.append(record) }
        }
    }

    /// Attempts in flight when the sandbox last stopped (a crash), until resumed.
    private let interrupted: Locked<[DeliveryJob]>

    /// Journals each attempt that was in flight when k2mock last died as interrupted, and makes
    /// it again (a scheduled one falls due now). Call once the replay is known to be whole.
    public func resumeInterruptedAttempts() {
        let lost = interrupted.withLock { lost in
            defer { lost.removeAll() }
            return lost
        }
        guard !lost.isEmpty else { return }
        let ticket = locked { state -> UInt64 in
            state.beginInput()
            defer { state.clock.release() }
            var ticket: UInt64 = 0
            for job in lost {
                state.lose(job)
                ticket = log(.attemptLost(deliveryID: job.deliveryID, redelivery: job.isRedelivery), &state)
            }
            return ticket
        }
        durable(ticket)
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

    /// Appends `command` to the journal at the sandbox's present time (call under the lock,
    /// with the clock held); returns the ticket to wait for, 0 without a journal. Anything logged
    /// after an advance applied stage changes or events goes after a record of them
    /// (`SandboxCommand.advanced`): an input in the middle of the advance, the advance's end,
    /// the next command after a real clock's advance. Only the advance's own next attempt
    /// (`takeNext`) replays them itself.
    private func log(_ command: SandboxCommand, _ state: inout SandboxState) -> UInt64 {
        guard let journal else { return 0 }
        let steps = state.unjournalledSteps
        state.unjournalledSteps = nil
        if let steps {
            switch command {
            case .takeNext: break
            default: _ = journal.append(RecordedCommand(at: state.clock.now(), command: .advanced(dueBy: steps.dueBy, steps: steps.count)))
            }
        }
        return journal.append(RecordedCommand(at: state.clock.now(), command: command))
    }

    /// Returns once the journal holds everything up to `ticket`, or leaves it owed when the
    /// calling thread answers later (`answeringDurably`).
    private func durable(_ ticket: UInt64) {
        guard ticket > 0, let journal, !DurabilityDebt.owe(ticket) else { return }
        journal.waitUntilDurable(ticket)
    }

    /// Whether inputs are kept (a journal, `--data-dir`).
    public var isJournalled: Bool { journal != nil }

    /// Runs `body`, the synchronous handling of one request, without waiting for what it
    /// journals; returns its result and the ticket to wait for before answering (0: nothing
    /// owed), with `awaitDurable` (the request's thread goes on serving others meanwhile, and
    /// concurrent requests share one commit) or `waitUntilDurable`.
    public func answeringDurably<T>(_ body: () -> T) -> (T, UInt64) {
        guard journal != nil else { return (body(), 0) }
        return DurabilityDebt.collecting(body)
    }

    /// Returns once the journal holds everything up to `ticket`, without holding a thread.
    public func awaitDurable(_ ticket: UInt64) async {
        if ticket > 0 { await journal?.durable(ticket) }
    }

    /// Blocks until the journal holds everything up to `ticket`.
    public func waitUntilDurable(_ ticket: UInt64) {
        if ticket > 0 { journal?.waitUntilDurable(ticket) }
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
        await advance(by: span, deliver: deliver, afterEach: nil)
    }

    /// `advance(by:deliver:)`, calling `afterEach` (outside the lock) after each stage change or
    /// event it applies: tests put other inputs between an advance's steps with it.
    func advance(
        by span: TimeSpan, deliver: @Sendable (DeliveryJob) async -> DeliveryResult,
        afterEach: (@Sendable (Occurrence) -> Void)?
    ) async -> Advance {
        await advancing.run {
            let (target, jumped) = locked { state -> (Timestamp, UInt64) in
                guard state.clock.mode == .real else { return (state.clock.now() + span, 0) }
                state.clock.advance(by: span)
                _ = state.clock.hold()
                defer { state.clock.release() }
                return (state.clock.now(), log(.jump(span), &state))
            }
            if jumped > 0 { await journal?.durable(jumped) }
            var happened: [Occurrence] = []
            var stoppedAt: Timestamp?
            taking: while let (work, ticket) = locked({ state -> (SandboxState.DueWork, UInt64)? in
                _ = state.clock.hold()
                defer { state.clock.release() }
                guard let work = state.takeNext(dueBy: target) else { return nil }
                guard case .send = work else {
                    if journal != nil { state.unjournalledSteps = (target, (state.unjournalledSteps?.count ?? 0) + 1) }
                    return (work, 0)
                }
                return (work, log(.takeNext(dueBy: target), &state))
            }) {
                switch work {
                case .happened(let occurrence):
                    happened.append(occurrence)
                    afterEach?(occurrence)
                case .send(let job):
                    if ticket > 0 { await journal?.durable(ticket) }
                    let result = await deliver(job)
                    let recorded = locked { state in recordLogged(job, result, &state) }
                    if recorded > 0 { await journal?.durable(recorded) }
                    // The transport is stopping: what is left stays due.
                    if result.interrupted {
                        stoppedAt = job.due
                        break taking
                    }
                    happened.append(.attempt(job, result))
                }
            }
            let moved = locked { state -> UInt64 in
                state.clock.advance(to: stoppedAt ?? target)
                state.unpublished.append(.clock(now: state.clock.now()))
                return state.clock.mode == .manual ? log(.clock(state.clock.now()), &state) : 0
            }
            if moved > 0 { await journal?.durable(moved) }
            return Advance(happened: happened, stoppedShortAt: stoppedAt)
        }
    }

    /// Applies what fell due and takes every delivery attempt due now, for a real clock's
    /// sender; report each with `record`.
    func takeDueAttempts() -> [DeliveryJob] {
        let (jobs, ticket) = locked { state -> ([DeliveryJob], UInt64) in
            _ = state.clock.hold()
            defer { state.clock.release() }
            let jobs = state.takeDueAttempts()
            return (jobs, jobs.isEmpty ? 0 : log(.takeDue, &state))
        }
        durable(ticket)
        return jobs
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
        let ticket = locked { state -> UInt64 in
            fresh.epoch = state.epoch + 1
            state = fresh
            state.unpublished.append(.reset)
            return journal?.reset() ?? 0
        }
        durable(ticket)
    }

    // MARK: Deliveries

    /// Records how an attempt went; a failed scheduled one is retried per the scenario's
    /// `callbacks.retry` (see `DeliveryBook.record`).
    func record(_ job: DeliveryJob, _ result: DeliveryResult) {
        durable(locked { state in recordLogged(job, result, &state) })
    }

    /// `SandboxState.record` and its journal entry (none for an attempt from before a reset).
    private func recordLogged(_ job: DeliveryJob, _ result: DeliveryResult, _ state: inout SandboxState) -> UInt64 {
        guard job.epoch == state.epoch else { return 0 }
        state.beginInput()
        defer { state.clock.release() }
        state.record(job, result)
        return log(.attemptEnded(deliveryID: job.deliveryID, redelivery: job.isRedelivery, result: result), &state)
    }

    /// A redelivery of delivery `id` by hand, to send now: an extra attempt outside the retry
    /// policy; nil if there is no such delivery.
    func redeliveryJob(_ id: Int) -> DeliveryJob? {
        let (job, ticket) = locked { state -> (DeliveryJob?, UInt64) in
            state.beginInput()
            defer { state.clock.release() }
            guard let job = state.redeliveryJob(id) else { return (nil, 0) }
            return (job, log(.redeliver(deliveryID: id), &state))
        }
        durable(ticket)
        return job
    }

    /// Fires a webhook event now (`POST /__admin/events`); its attempts are due at once (or after
    /// the event's delay) and go out with the next advance or real-clock tick.
    public func fire(_ event: ScriptedEvent) -> FiredEvent {
        let (fired, ticket) = locked { state -> (FiredEvent, UInt64) in
            state.beginInput()
            defer { state.clock.release() }
            return (state.fire(event, at: state.clock.now()), log(.fire(event), &state))
        }
        durable(ticket)
        return fired
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
            let record = RequestRecord(at: now, method: method, path: path, status: status)
            state.requests.append(record)
            // The journal line of a request that changed the sandbox is kept before its answer too.
            if let journal {
                let awaited = DurabilityDebt.owesSomething
                let ticket = journal.appendRequest(record, awaited: awaited)
                if awaited { _ = DurabilityDebt.owe(ticket) }
            }
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
        let (token, ticket) = locked { state -> (AccessToken, UInt64) in
            state.beginInput()
            defer { state.clock.release() }
            let token = state.issueToken(to: client)
            return (token, log(.issueToken(clientID: client.clientID, token: token.value), &state))
        }
        durable(ticket)
        return token
    }

    /// What `Authorization: Bearer <value>` amounts to now.
    public func checkToken(_ value: String?) -> TokenCheck {
        let digest = value.map(TokenDigest.init)
        return locked { $0.tokens.check(digest, at: $0.clock.now()) }
    }

    /// Revokes a token; false when it was unknown (which OAuth answers the same way).
    @discardableResult
    public func revokeToken(_ value: String) -> Bool {
        let (revoked, ticket) = locked { state -> (Bool, UInt64) in
            state.beginInput()
            defer { state.clock.release() }
            guard state.tokens.revoke(value) else { return (false, 0) }
            return (true, log(.revokeToken(value), &state))
        }
        durable(ticket)
        return revoked
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
        let (result, ticket) = locked { state -> (Result<String, RequestError>, UInt64) in
            _ = state.clock.hold()
            defer { state.clock.release() }
            do throws(RequestError) {
                let id = try state.create(definition, body: body, origin: origin)
                return (.success(id), log(.create(kind: kind, body: body, clientID: origin.clientID, origin: origin.url,
                                                  version: version, id: id), &state))
            } catch {
                return (.failure(error), 0)
            }
        }
        durable(ticket)
        return try result.get()
    }

    /// Performs `action` on the created resource `kind`/`id`; nil when there is none.
    public func perform(_ action: ResourceAction, on kind: ResourceKind, id: String) -> ActionOutcome? {
        let (outcome, ticket) = locked { state -> (ActionOutcome?, UInt64) in
            _ = state.clock.hold()
            defer { state.clock.release() }
            guard let outcome = state.perform(action, on: kind, id: id) else { return (nil, 0) }
            return (outcome, log(.perform(action: action.name, kind: kind, id: id), &state))
        }
        durable(ticket)
        return outcome
    }

    /// The rendered body of a resource, if it exists (ids compare case-insensitively).
    public func resource(_ kind: ResourceKind, id: String) -> SelfLinkedBody? {
        let key = ResourceKey(kind: kind, id: id)
        return locked { state in
            state.applyDueChanges()
            return state.store.body(key)
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
