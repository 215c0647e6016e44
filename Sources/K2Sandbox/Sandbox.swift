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
    /// Where the clock starts for scenarios whose clock has no `start`: on a manual clock
    /// `manualClockStart`, so that the same scenario, seed and requests give the same bytes
    /// run after run; on a real clock the wall time when this sandbox was made.
    public let defaultStart: Timestamp

    /// 2026-01-01T00:00:00Z: where a manual clock starts when the scenario gives no `clock.start`.
    public static let manualClockStart = Timestamp(milliseconds: 1_767_225_600_000)
    /// Where inputs are kept for a restart (`--data-dir`); nil keeps nothing.
    private let journal: (any SandboxJournal)?

    /// A sandbox at the scenario's start. `monotonicNanoseconds` drives a real clock and
    /// `wallClock` says when "now" is for real-clock scenarios without `clock.start` (both for
    /// tests; a manual clock without `clock.start` starts at `manualClockStart`).
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
        self.defaultStart = scenario.clock.mode == .manual ? Sandbox.manualClockStart : wallClock()
        self.journal = journal
        self.interrupted = Locked([])
        self.state = Locked(SandboxState(
            scenario: scenario, start: scenario.clock.start ?? defaultStart, monotonic: monotonicNanoseconds))
    }

    /// A sandbox rebuilt from what a journal kept: `commands` replayed in order through
    /// `SandboxState.apply`, each with the clock pinned at its recorded sandbox time, from the
    /// scenario's start (`defaultStart` for scenarios without `clock.start`). The clock then
    /// reads where the last command left it (where a manual clock stood) plus `downtime`, the
    /// sandbox time a real clock ran on while k2mock was down, and moves on from there.
    /// Attempts that were taken but never ended (a crash) wait for
    /// `resumeInterruptedAttempts()`. New inputs go to `journal`. Throws `ReplayError` when a
    /// command does not replay as it first ran (a data directory from a different k2mock or
    /// scenario).
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
        let stoppedAt = try state.replay(commands)
        state.clock.resume(at: stoppedAt + downtime)
        interrupted = Locked(state.inFlight)
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
        waiting { owed in
            locked { state in
                for job in lost {
                    _ = try? submitLocked(.attemptLost(deliveryID: job.deliveryID, redelivery: job.isRedelivery), &state, &owed)
                }
            }
        }
    }

    /// Hears every change (`GET /__admin/stream`).
    public let changes = ChangeFeed()

    /// The kinds this sandbox serves (the scenario's registry).
    public var kinds: KindRegistry { scenario.kinds }

    /// Runs `body` under the lock and tells the change feed what it changed, still under the
    /// lock so that every listener hears changes in the order they happened.
    private func locked<T>(_ body: (inout SandboxState) throws -> T) rethrows -> T {
        var wake = false
        defer { if wake { soonerDue.withLock { $0 }?() } }
        return try state.withLock { state -> T in
            defer { wake = settle(&state) }
            return try body(&state)
        }
    }

    /// What `locked` does before it lets go: publishes what changed; answers whether the
    /// runner must wake sooner.
    private func settle(_ state: inout SandboxState) -> Bool {
        if !state.unpublished.isEmpty {
            changes.publish(state.unpublished)
            state.unpublished.removeAll(keepingCapacity: true)
        }
        defer { state.soonerDue = false }
        return state.soonerDue
    }

    // MARK: The one door

    /// Applies `command`: under the lock, with the clock held at one instant, through
    /// `SandboxState.apply` (inputs apply what fell due by that instant first); then journals
    /// it with that instant and what it made. The journal's ticket goes into `durability`:
    /// answer only after `awaitDurable` or `waitUntilDurable` of it. Throws `CommandRefusal`
    /// (nothing journalled) when the command cannot do what it says.
    @discardableResult
    public func submit(_ command: SandboxCommand, owing durability: inout Durability) throws(CommandRefusal) -> CommandResult {
        let outcome = locked { state in
            Result { () throws(CommandRefusal) in try submitLocked(command, &state, &durability) }
        }
        return try outcome.get()
    }

    /// `submit(_:owing:)`, returning once the command is durable.
    @discardableResult
    public func submit(_ command: SandboxCommand) throws(CommandRefusal) -> CommandResult {
        try waiting { owed throws(CommandRefusal) in try submit(command, owing: &owed) }
    }

    /// Called (outside the lock) when a command scheduled something due sooner than anything
    /// before it: a real clock's sender sleeps until the next due entry.
    private let soonerDue = Locked<(@Sendable () -> Void)?>(nil)

    /// Sets (or with nil, clears) what is called when a command schedules something sooner.
    public func onSoonerDue(_ hook: (@Sendable () -> Void)?) {
        soonerDue.withLock { $0 = hook }
    }

    /// `submit` for a caller that already holds the lock.
    private func submitLocked(
        _ command: SandboxCommand, _ state: inout SandboxState, _ durability: inout Durability
    ) throws(CommandRefusal) -> CommandResult {
        let at = state.clock.hold()
        defer { state.clock.release() }
        let dueBefore = state.timeline.nextDue
        let result = try state.apply(command)
        if state.clock.mode == .real, let due = state.timeline.nextDue, dueBefore.map({ due < $0 }) ?? true {
            state.soonerDue = true
        }
        if let journal { durability.owe(journal.append(RecordedCommand(at: at, command: command, made: result.made))) }
        return result
    }

    /// Runs `body` with a fresh `Durability` and waits for what it owes, thrown or not.
    private func waiting<T, E: Error>(_ body: (inout Durability) throws(E) -> T) throws(E) -> T {
        var owed = Durability()
        defer { waitUntilDurable(owed) }
        return try body(&owed)
    }

    /// Whether inputs are kept (a journal, `--data-dir`).
    public var isJournalled: Bool { journal != nil }

    /// Returns once the journal holds everything `durability` owes, without holding a thread
    /// (concurrent requests share one commit).
    public func awaitDurable(_ durability: Durability) async {
        if durability.owesSomething { await journal?.durable(durability.ticket) }
    }

    /// Blocks until the journal holds everything `durability` owes.
    public func waitUntilDurable(_ durability: Durability) {
        if durability.owesSomething { journal?.waitUntilDurable(durability.ticket) }
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
    /// before the next entry, so the same scenario gives the same journal. A manual clock moves
    /// to each step's due time as it applies it (an input meanwhile is stamped with that time,
    /// which orders it against the steps on replay) and reads the target at the end; a real
    /// clock jumps at once. Advances run one at a time. Returns what happened, in order, and
    /// whether the transport stopped it short (then a manual clock reads the due time of the
    /// attempt it could not make, which stays due).
    public func advance(
        by span: TimeSpan, deliver: @Sendable (DeliveryJob) async -> DeliveryResult
    ) async -> Advance {
        await advance(by: span, deliver: deliver, afterEach: nil)
    }

    /// One step of an advance.
    private enum AdvanceStep {
        case happened(Occurrence?)
        case send(DeliveryJob, Durability)
    }

    /// `advance(by:deliver:)`, calling `afterEach` (outside the lock) after each stage change or
    /// event it applies: tests put other inputs between an advance's steps with it.
    func advance(
        by span: TimeSpan, deliver: @Sendable (DeliveryJob) async -> DeliveryResult,
        afterEach: (@Sendable (Occurrence) -> Void)?
    ) async -> Advance {
        await advancing.run {
            var jumped = Durability()
            let target = locked { state -> Timestamp in
                let from = state.clock.now()
                guard state.clock.mode == .real else {
                    if span > .zero { state.transcript.append(.clock(from: from, to: from + span)) }
                    return from + span
                }
                _ = try? submitLocked(.jump(by: span), &state, &jumped)
                if span > .zero { state.transcript.append(.clock(from: from, to: state.clock.now())) }
                return state.clock.now()
            }
            await awaitDurable(jumped)
            var happened: [Occurrence] = []
            var stoppedAt: Timestamp?
            taking: while let step = locked({ state -> AdvanceStep? in
                guard let (due, entry) = state.timeline.first, due <= target else { return nil }
                if state.clock.mode == .manual { state.clock.advance(to: due) }
                guard entry.isAttempt else {
                    _ = state.clock.hold()
                    defer { state.clock.release() }
                    guard case .happened(let occurrence)?? = state.step(dueBy: due) else { return .happened(nil) }
                    return .happened(occurrence)
                }
                var owed = Durability()
                guard let job = (try? submitLocked(.takeAttempt, &state, &owed))?.jobs.first else { return .happened(nil) }
                return .send(job, owed)
            }) {
                switch step {
                case .happened(let occurrence):
                    guard let occurrence else { continue }
                    happened.append(occurrence)
                    afterEach?(occurrence)
                case .send(let job, let taken):
                    await awaitDurable(taken)
                    let result = await deliver(job)
                    var recorded = Durability()
                    locked { state in recordLocked(job, result, &state, &recorded) }
                    await awaitDurable(recorded)
                    // The transport is stopping: what is left stays due.
                    if result.interrupted {
                        stoppedAt = job.due
                        break taking
                    }
                    happened.append(.attempt(job, result))
                }
            }
            var moved = Durability()
            locked { state in
                guard state.clock.mode == .manual else { return state.unpublished.append(.clock(now: state.clock.now())) }
                _ = try? submitLocked(.moveClock(to: stoppedAt ?? target), &state, &moved)
            }
            await awaitDurable(moved)
            return Advance(happened: happened, stoppedShortAt: stoppedAt)
        }
    }

    /// Applies what fell due and takes every delivery attempt due now, for a real clock's
    /// sender; report each with `record`.
    func takeDueAttempts() -> [DeliveryJob] {
        (try? submit(.takeDue))?.jobs ?? []
    }

    /// Wall nanoseconds until the next entry on the timeline falls due on a real clock; nil when
    /// nothing is scheduled or the clock is manual.
    func wallNanosecondsUntilNextDue() -> UInt64? {
        locked { state in state.timeline.nextDue.flatMap { state.clock.wallNanoseconds(until: $0) } }
    }

    /// Back to the scenario's initial state: clock at its start, fixtures as loaded, issued
    /// tokens, created resources, deliveries and journals gone, id streams restarted from the
    /// seed. Not a command: it erases the journal. Attempts in flight across a reset are not
    /// recorded.
    public func reset() {
        var fresh = SandboxState(scenario: scenario, start: scenario.clock.start ?? defaultStart, monotonic: monotonicNanoseconds)
        var owed = Durability()
        locked { state in
            fresh.epoch = state.epoch + 1
            state = fresh
            state.unpublished.append(.reset)
            if let journal { owed.owe(journal.reset()) }
        }
        waitUntilDurable(owed)
    }

    // MARK: Deliveries

    /// Records how an attempt went; a failed scheduled one is retried per the scenario's
    /// `callbacks.retry` (see `DeliveryBook.record`). An attempt from before a reset is dropped.
    func record(_ job: DeliveryJob, _ result: DeliveryResult) {
        waiting { owed in locked { state in recordLocked(job, result, &state, &owed) } }
    }

    /// `record` under the lock.
    private func recordLocked(_ job: DeliveryJob, _ result: DeliveryResult, _ state: inout SandboxState, _ owed: inout Durability) {
        guard job.epoch == state.epoch else { return }
        let command = SandboxCommand.attemptEnded(deliveryID: job.deliveryID, redelivery: job.isRedelivery, result: result)
        guard (try? submitLocked(command, &state, &owed)) != nil,
              let attempts = state.deliveries.delivery(job.deliveryID)?.attempts.count else { return }
        state.transcript.append(.attempt(deliveryID: job.deliveryID, attempt: attempts))
    }

    /// A redelivery by hand of delivery `id`, to send now: an extra attempt outside the retry
    /// policy; nil if there is no such delivery.
    func redeliveryJob(_ id: Int) -> DeliveryJob? {
        (try? submit(.redeliver(deliveryID: id)))?.jobs.first
    }

    /// Fires a webhook event now (`POST /__admin/events`); its attempts are due at once (or after
    /// the event's delay) and go out with the next advance or real-clock tick.
    public func fire(_ event: ScriptedEvent, owing durability: inout Durability) -> FiredEvent {
        guard case .fired(let fired)? = try? submit(.fire(event: event), owing: &durability) else {
            preconditionFailure("a fired event is never refused")
        }
        return fired
    }

    /// `fire(_:owing:)`, returning once it is durable.
    public func fire(_ event: ScriptedEvent) -> FiredEvent {
        waiting { owed in fire(event, owing: &owed) }
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
    /// When the request already owes durability (it changed the sandbox), its journal line is
    /// kept before its answer too, and `durability` owes it.
    /// `exchange`, the request and its answer in full, goes to the transcript.
    @discardableResult
    public func recordRequest(
        method: String, path: String, status: Int, exchange: consuming Exchange? = nil, owing durability: inout Durability
    ) -> Timestamp {
        let exchange = exchange
        return locked { state in
            let now = state.clock.now()
            var journalled = path
            if let exchange {
                let kept = state.transcript.append(exchange, at: now, request: state.requests.nextID)
                if sameText(kept, path) { journalled = kept }
            }
            journal(&state, at: now, method: method, path: journalled, status: status, owing: &durability)
            return now
        }
    }

    /// `recordRequest(method:path:status:exchange:owing:)` with the exchange given by its parts
    /// (an `Exchange`'s fields), the request's and the response's own: the transcript compares
    /// them in place with its previous exchange and builds an `Exchange` only when one differs,
    /// so a client polling one payment costs the transcript no copy.
    @discardableResult
    public func recordRequest(
        method: String, path: String, query: [(name: String, value: String)], requestHeaders: [(name: String, value: String)],
        requestBody: [UInt8], status: Int, responseHeaders: [(name: String, value: String)], responseBody: [UInt8],
        fault: FaultNote?, owing durability: inout Durability
    ) -> Timestamp {
        // `locked` without its closure, which copied every part (a retain and a release each).
        self.state.lock()
        let state = self.state.unsafeValue
        let now = state.pointee.clock.now()
        let kept = state.pointee.transcript.append(
            at: now, request: state.pointee.requests.nextID, method: method, path: path, query: query,
            requestHeaders: requestHeaders, requestBody: requestBody, status: status, responseHeaders: responseHeaders,
            responseBody: responseBody, fault: fault)
        // The journal keeps the transcript's path, shared with earlier requests where equal.
        journal(&state.pointee, at: now, method: method, path: kept, status: status, owing: &durability)
        let wake = settle(&state.pointee)
        self.state.unlock()
        if wake { soonerDue.withLock { $0 }?() }
        return now
    }

    /// Puts a request in the request journal (and a data directory's, and the change feed).
    private func journal(
        _ state: inout SandboxState, at now: Timestamp, method: String, path: String, status: Int, owing durability: inout Durability
    ) {
        var record = RequestRecord(at: now, method: method, path: path, status: status)
        record.id = state.requests.nextID
        if let journal {
            let awaited = durability.owesSomething
            let ticket = journal.appendRequest(record, awaited: awaited)
            if awaited { durability.owe(ticket) }
        }
        if changes.hasSubscribers { state.unpublished.append(.request(method: method, path: path, status: status, at: now)) }
        state.requests.append(consume record)
    }

    /// `recordRequest(method:path:status:exchange:owing:)` for a request that owes nothing: its journal
    /// line is written in the background.
    @discardableResult
    public func recordRequest(method: String, path: String, status: Int, exchange: Exchange? = nil) -> Timestamp {
        var background = Durability()
        return recordRequest(method: method, path: path, status: status, exchange: exchange, owing: &background)
    }

    /// The request journal, oldest first.
    public func requests() -> [RequestRecord] {
        locked { $0.requests.records }
    }

    /// Request `id` of the journal with its answer, while the transcript keeps it (the latest
    /// 10,000 requests and attempts); nil once it is gone or if there is none.
    public func exchange(requestID id: Int) -> (at: Timestamp, exchange: Exchange)? {
        lastExchange { requestID, _ in requestID == id }.map { ($0.at, $0.exchange) }
    }

    /// The newest request of the transcript that `matches` accepts (given its journal id and
    /// its exchange), looked for in place under the lock.
    public func lastExchange(where matches: (Int, Exchange) -> Bool) -> (at: Timestamp, id: Int, exchange: Exchange)? {
        locked { state in
            guard case .exchange(let at, let id, let exchange)? = state.transcript.last(where: { entry in
                if case .exchange(_, let id, let exchange) = entry { return matches(id, exchange) }
                return false
            }) else { return nil }
            return (at, id, exchange)
        }
    }

    /// The token whose value this is (issued, pre-issued, expired or revoked), if this sandbox knows it.
    public func tokenRecord(_ value: String) -> AccessToken? {
        locked { $0.tokens.token(value) }
    }

    /// The transcript as it stands: every K2 API request with its answer, every delivery
    /// attempt and every advance of the clock, in the order they happened.
    public func transcript() -> TranscriptSnapshot {
        locked { state in
            TranscriptSnapshot(
                entries: state.transcript.entries, dropped: state.transcript.dropped,
                deliveries: state.deliveries.deliveries, clockStart: scenario.clock.start ?? defaultStart,
                clockStartSource: scenario.clock.start != nil ? .scenario : scenario.clock.mode == .manual ? .fixed : .wallTime,
                clockMode: scenario.clock.mode, now: state.clock.now())
        }
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
    public func issueToken(to client: ClientCredentials, owing durability: inout Durability) -> AccessToken {
        guard case .issued(let token)? = try? submit(.issueToken(clientID: client.clientID), owing: &durability) else {
            preconditionFailure("the scenario's own client is never refused a token")
        }
        return token
    }

    /// `issueToken(to:owing:)`, returning once it is durable.
    public func issueToken(to client: ClientCredentials) -> AccessToken {
        waiting { owed in issueToken(to: client, owing: &owed) }
    }

    /// Every token it knows (issued, pre-issued, revoked or expired).
    func tokenValues() -> [String] {
        locked { $0.tokens.values }
    }

    /// What `Authorization: Bearer <value>` amounts to now.
    public func checkToken(_ value: String?) -> TokenCheck {
        guard let value else { return checkToken(bytes: nil) }
        return value.withUTF8Bytes { checkToken(bytes: $0) }
    }

    /// Why a bearer token's bytes as presented (nil: none) are refused now, nil when the token is
    /// valid: every K2 API request is checked this way, under one lock, and nothing is copied
    /// (a create, which needs the token's client, asks `client(ofToken:)`).
    public func refusal(ofToken bytes: UnsafeBufferPointer<UInt8>?) -> TokenCheck.Refusal? {
        let digest = bytes.map(TokenDigest.init)
        return state.withLock { $0.tokens.refusal(digest, at: $0.clock.now()) }
    }

    /// The client a bearer token's bytes as presented were issued to, when the token is valid
    /// now; else why it is refused (a create signs its callbacks with the client's key).
    public func client(ofToken bytes: UnsafeBufferPointer<UInt8>?) -> Result<String, TokenCheck.Refusal> {
        let digest = bytes.map(TokenDigest.init)
        return state.withLock { $0.tokens.client(digest, at: $0.clock.now()) }
    }

    /// `checkToken(_:)` of the token's bytes as presented (nil: none), read where they are, so
    /// that no string need be made of them.
    public func checkToken(bytes: UnsafeBufferPointer<UInt8>?) -> TokenCheck {
        let digest = bytes.map(TokenDigest.init)
        return locked { $0.tokens.check(digest, at: $0.clock.now()) }
    }

    /// Revokes a token; false when it was unknown (which OAuth answers the same way).
    @discardableResult
    public func revokeToken(_ value: String, owing durability: inout Durability) -> Bool {
        (try? submit(.revokeToken(token: value), owing: &durability)) != nil
    }

    /// `revokeToken(_:owing:)`, returning once it is durable.
    @discardableResult
    public func revokeToken(_ value: String) -> Bool {
        waiting { owed in revokeToken(value, owing: &owed) }
    }

    // MARK: Resources

    /// Creates a resource of `kind` from its create request's JSON body for `clientID` (whose api
    /// key signs its callback); `origin` and `version` are where the client made it, for its
    /// `self` link. Returns its id. Throws `RequestError` (K2's 400) for a refused request, which
    /// changes nothing; an unknown kind is refused the same way.
    public func create(
        _ kind: ResourceKind, body: JSONObject, clientID: String, origin: String, version: Int,
        owing durability: inout Durability
    ) throws(RequestError) -> String {
        let command = SandboxCommand.create(kind: kind, body: body, clientID: clientID, origin: origin, version: version)
        do {
            guard case .created(let id) = try submit(command, owing: &durability) else { preconditionFailure("a create makes an id") }
            return id
        } catch {
            throw RequestError(error.message)
        }
    }

    /// `create(_:body:clientID:origin:version:owing:)`, returning once it is durable.
    public func create(
        _ kind: ResourceKind, body: JSONObject, clientID: String, origin: String, version: Int
    ) throws(RequestError) -> String {
        try waiting { owed throws(RequestError) in
            try create(kind, body: body, clientID: clientID, origin: origin, version: version, owing: &owed)
        }
    }

    /// Performs `action` on the created resource `kind`/`id`; nil when there is none.
    public func perform(
        _ action: ResourceAction, on kind: ResourceKind, id: String, owing durability: inout Durability
    ) -> ActionOutcome? {
        guard case .performed(let outcome)? = try? submit(.perform(action: action.name, kind: kind, id: id), owing: &durability)
        else { return nil }
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
            return state.store.snapshots(kinds: scenario.kinds, timelines: state.timelines)
        }
    }

    /// The resource with this id (compared case-insensitively), of whichever kind, at the stage
    /// it has reached by now; nil when the sandbox has none. Cheaper than `resources()` for one.
    public func resource(id: String) -> ResourceSnapshot? {
        locked { state in
            state.applyDueChanges()
            return state.store.snapshot(id: id, kinds: scenario.kinds, timelines: state.timelines)
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
