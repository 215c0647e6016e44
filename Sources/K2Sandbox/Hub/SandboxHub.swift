import Locking
import OrderedJSON
import Synchronization

/// One sandbox a server hosts: its id (its name), what it was made from, and the runner that
/// sends its deliveries and runs its real clock.
public final class HostedSandbox: Sendable {
    /// Its name; `""` for the server's own sandbox.
    public let id: String
    /// How log lines name it: its id, nil for the server's own.
    public let logName: String?
    /// What it was made from; nil for the server's own.
    public let spec: SandboxSpec?
    public let runner: SandboxRunner
    /// Its runner's sandbox, kept here too: every request reads it.
    public let sandbox: Sandbox
    /// Wall nanoseconds (monotonic) of its last request, for `ttl`.
    private let lastUsed: Locked<UInt64>
    private let monotonic: @Sendable () -> UInt64

    init(id: String, spec: SandboxSpec?, runner: SandboxRunner, monotonic: @escaping @Sendable () -> UInt64) {
        self.id = id
        self.logName = spec == nil ? nil : id
        self.spec = spec
        self.runner = runner
        self.sandbox = runner.sandbox
        self.monotonic = monotonic
        self.lastUsed = Locked(monotonic())
    }

    /// Whether this is the server's own sandbox (the plain `/__admin` paths).
    public var isPrimary: Bool { spec == nil }

    /// Notes a request to it (a sandbox with a `ttl` ends that long after its last one).
    public func touch() {
        guard spec?.ttl != nil else { return }
        let now = monotonic()
        lastUsed.withLock { $0 = now }
    }

    /// Whether its `ttl` has run out at `now` (monotonic wall nanoseconds).
    func isExpired(at now: UInt64) -> Bool {
        guard let ttl = spec?.ttl else { return false }
        let idle = now &- lastUsed.withLock { $0 }
        return idle / 1_000_000 >= UInt64(max(0, ttl.milliseconds))
    }
}

/// Why a sandbox could not be made or found; `status` is the HTTP status the admin API answers.
public struct SandboxHubError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
    public var description: String { message }
}

/// Where a hub keeps its sandboxes across restarts (a data directory): each one's spec when it
/// is made, its inputs while it lives, its end.
public protocol SandboxArchive: Sendable {
    /// The journal of sandbox `id`'s inputs.
    func journal(for id: String) -> any SandboxJournal
    /// Keeps `spec` (its seed is the one it runs with) and the sandbox time it started at;
    /// returns a ticket to wait for before answering.
    func created(_ spec: SandboxSpec, start: Timestamp) -> UInt64
    /// Keeps that sandbox `id` ended (deleted, or its ttl ran out) and forgets its inputs.
    func deleted(_ id: String) -> UInt64
    /// Blocks until everything up to `ticket` is on disk.
    func waitUntilDurable(_ ticket: UInt64)
}

/// Every sandbox one server hosts: its own (the server's scenario, the plain `/__admin` paths)
/// and any number made beside it (`POST /__admin/sandboxes`), each with its own scenario,
/// seed, clock, resources, tokens, credentials, deliveries and journals. K2 requests find their
/// sandbox by the credentials or token they carry (`forClient`, `forToken`); anything unknown
/// goes to the server's own, which answers as K2 does for unknown credentials.
public final class SandboxHub: Sendable {
    public let primary: HostedSandbox
    /// How many sandboxes may exist beside the server's own (`--max-sandboxes`).
    public let maxSandboxes: Int
    private let serverScenario: Scenario
    private let makeRunner: @Sendable (Sandbox) -> SandboxRunner
    private let archive: (any SandboxArchive)?
    /// Wall time for `ttl` (monotonic nanoseconds; injectable for tests).
    private let monotonic: @Sendable () -> UInt64

    private struct State: Sendable {
        var byID: [String: HostedSandbox] = [:]
        /// Ids in creation order.
        var order: [String] = []
        /// Client id → sandbox id.
        var clients: [String: String] = [:]
        /// Token → sandbox id, for every token a sandbox beside the primary knows. Keyed by the
        /// value itself: this only routes (the sandbox then checks the token against its SHA-256
        /// in constant time), so it need not cost a second digest per request.
        var tokens: [String: String] = [:]
        /// Names taken by sandboxes being made.
        var reserved: Set<String> = []
        /// Unnamed sandboxes made so far (they are named `sandbox-<n>`).
        var unnamed = 0
        /// Why ids that are gone went: `GET` of one says so.
        var ended: [String: String] = [:]
        var stopped = false
    }

    private let state = Locked(State())
    /// Whether any sandbox exists beside the primary: while none does, routing costs nothing.
    private let hasOthers = Atomic<Bool>(false)

    /// A hub around the server's own sandbox. `makeRunner` binds a new sandbox to the server's
    /// transport; `archive` keeps sandboxes across restarts; `monotonic` is the wall clock a
    /// `ttl` is measured on (nanoseconds).
    public init(primary: SandboxRunner, maxSandboxes: Int = 10_000, archive: (any SandboxArchive)? = nil,
                monotonic: @escaping @Sendable () -> UInt64 = SandboxClock.systemMonotonic,
                makeRunner: @escaping @Sendable (Sandbox) -> SandboxRunner) {
        self.monotonic = monotonic
        self.primary = HostedSandbox(id: "", spec: nil, runner: primary, monotonic: monotonic)
        self.serverScenario = primary.sandbox.scenario
        self.maxSandboxes = maxSandboxes
        self.makeRunner = makeRunner
        self.archive = archive
    }

    // MARK: Finding

    /// Whether any sandbox exists beside the primary.
    public var hostsOthers: Bool { hasOthers.load(ordering: .relaxed) }

    /// Sandbox `id`; the primary for `""`.
    public func sandbox(_ id: String) -> HostedSandbox? {
        if id.isEmpty { return primary }
        return state.withLock { $0.byID[id] }
    }

    /// Why `id` is gone, if it was deleted or ran out.
    public func endedReason(_ id: String) -> String? {
        state.withLock { $0.ended[id] }
    }

    /// Every sandbox beside the primary, oldest first.
    public func all() -> [HostedSandbox] {
        state.withLock { state in state.order.compactMap { state.byID[$0] } }
    }

    /// The sandbox that knows bearer token `value`; the primary for any other.
    public func forToken(_ value: String?) -> HostedSandbox {
        guard let value, hostsOthers else { return primary }
        return state.withLock { state in state.tokens[value].flatMap { state.byID[$0] } } ?? primary
    }

    /// The sandbox with client `clientID`; the primary for any other.
    public func forClient(_ clientID: String?) -> HostedSandbox {
        guard let clientID, hostsOthers else { return primary }
        return state.withLock { state in state.clients[clientID].flatMap { state.byID[$0] } } ?? primary
    }

    /// Issues a token to `client` in `hosted` (`/oauth/token`), so that requests carrying it
    /// find that sandbox: every token of a hosted sandbox is issued through here.
    public func issueToken(to client: ClientCredentials, in hosted: HostedSandbox, owing durability: inout Durability) -> AccessToken {
        let token = hosted.sandbox.issueToken(to: client, owing: &durability)
        guard !hosted.isPrimary else { return token }
        state.withLock { state in
            guard state.byID[hosted.id] === hosted else { return }
            state.tokens[token.value] = hosted.id
        }
        return token
    }

    // MARK: Making and ending

    /// What `POST /__admin/sandboxes` asks for, not yet checked.
    public struct Request: Sendable {
        public var name: String?
        public var scenarioPath: String?
        public var scenarioYAML: String?
        public var seed: UInt64?
        public var clock: ClockMode?
        public var timeScale: Double?
        public var ttl: TimeSpan?
        public init() {}
    }

    /// Makes a sandbox: its scenario read and checked, personalised to its name
    /// (`Scenario.personalized(for:)`), kept by the archive before it is returned. Throws
    /// `SandboxHubError`: 400 for a scenario that does not load (with its file, line and key)
    /// or a bad name, 409 for a name or credential already taken, 429 past `maxSandboxes`.
    /// Nothing half-made is left.
    public func create(_ request: Request) throws(SandboxHubError) -> HostedSandbox {
        if let name = request.name, !SandboxSpec.isValidName(name) {
            throw SandboxHubError(400, "name must be 1 to 64 letters, digits, '_' or '-'; got \"\(name)\"")
        }
        if request.scenarioPath != nil && request.scenarioYAML != nil {
            throw SandboxHubError(400, "give scenario or scenario_yaml, not both")
        }
        // Load first: a scenario that does not load takes no name and no place.
        let files = Locked<[SandboxSpec.ScenarioFile]>([])
        var scenario: Scenario
        var source = serverScenario.source
        do {
            if let yaml = request.scenarioYAML {
                source = "scenario_yaml"
                files.withLock { $0.append(.init(path: source, text: yaml)) }
                scenario = try ScenarioLoader(kinds: serverScenario.kinds, readFile: recording(files, FileSystem.read))
                    .load(text: yaml, path: source)
            } else if let path = request.scenarioPath {
                source = path
                scenario = try ScenarioLoader(kinds: serverScenario.kinds, readFile: recording(files, FileSystem.read))
                    .load(path: path)
            } else {
                scenario = serverScenario
            }
        } catch {
            throw SandboxHubError(400, "The scenario is not valid: \(error.description)")
        }
        var seed = request.seed ?? scenario.seed
        if seed == nil && archive != nil {
            var system = SystemRandomNumberGenerator()
            seed = system.next()
        }
        let name = try reserveName(request.name)
        // The clock it runs on is kept whole, so a restart needs nothing but the spec.
        let spec = SandboxSpec(name: name, files: files.withLock { $0 }, source: source, seed: seed,
                               clock: request.clock ?? scenario.clock.mode, timeScale: request.timeScale ?? scenario.clock.scale,
                               ttl: request.ttl)
        scenario.seed = seed
        // What the sandbox starts at when its scenario names no start, as `Sandbox` chooses it:
        // a manual clock at `manualClockStart`, a real one at the wall time. The data directory
        // keeps the same instant, so a restart resumes the clock where it stood.
        let defaultStart = (spec.clock ?? scenario.clock.mode) == .manual ? Sandbox.manualClockStart : Sandbox.wallClockNow()
        do {
            return try host(spec, scenario: scenario, made: { personal, journal in
                Sandbox(scenario: personal, wallClock: { defaultStart }, journal: journal)
            }, announce: { archive in archive.created(spec, start: scenario.clock.start ?? defaultStart) })
        } catch let error as SandboxHubError {
            state.withLock { _ = $0.reserved.remove(name) }
            throw error
        } catch {
            state.withLock { _ = $0.reserved.remove(name) }
            throw SandboxHubError(500, "\(error)")
        }
    }

    /// Makes sandbox `spec` again from what an archive kept: its scenario from the kept files
    /// (personalised as when it was made), then `restoring` replays its inputs into a sandbox
    /// of that scenario with the given journal (it throws what the replay throws).
    public func restore(
        _ spec: SandboxSpec, restoring: (Scenario, (any SandboxJournal)?) throws -> Sandbox
    ) throws -> HostedSandbox {
        var scenario = serverScenario
        if !spec.files.isEmpty {
            let kept = Dictionary(spec.files.map { ($0.path, Array($0.text.utf8)) }, uniquingKeysWith: { first, _ in first })
            let loader = ScenarioLoader(kinds: serverScenario.kinds, readFile: { kept[$0] })
            scenario = spec.source == "scenario_yaml"
                ? try loader.load(text: spec.files[0].text, path: spec.source) : try loader.load(path: spec.source)
        }
        scenario.seed = spec.seed
        // A sandbox that was kept comes back whatever --max-sandboxes says now.
        _ = try reserveName(spec.name, enforcingLimit: false)
        if spec.name.hasPrefix("sandbox-"), let number = Int(spec.name.dropFirst(8)) {
            state.withLock { $0.unnamed = max($0.unnamed, number) }
        }
        do {
            return try host(spec, scenario: scenario, made: restoring, announce: nil)
        } catch {
            state.withLock { _ = $0.reserved.remove(spec.name) }
            throw error
        }
    }

    /// Ends sandbox `id`: its runner stops (pending deliveries are dropped, never sent), its
    /// tokens and credentials stop finding it, the archive forgets it. Returns how many of its
    /// deliveries were pending, or nil if there is no such sandbox.
    @discardableResult
    public func delete(_ id: String, reason: String = "deleted") -> Int? {
        guard let hosted = state.withLock({ state -> HostedSandbox? in
            guard let hosted = state.byID.removeValue(forKey: id) else { return nil }
            state.order.removeAll { $0 == id }
            state.clients = state.clients.filter { $0.value != id }
            state.tokens = state.tokens.filter { $0.value != id }
            return hosted
        }) else { return nil }
        hosted.runner.stop()
        let pending = hosted.sandbox.deliveryCounts().pending
        state.withLock { state in
            state.ended[id] = "Sandbox \(id) was \(reason); \(pending) pending \(pending == 1 ? "delivery was" : "deliveries were") dropped"
        }
        hasOthers.store(state.withLock { !$0.order.isEmpty }, ordering: .relaxed)
        if let archive { archive.waitUntilDurable(archive.deleted(id)) }
        return pending
    }

    /// Ends every sandbox whose `ttl` has run out; returns their ids.
    public func endExpired() -> [String] {
        let now = monotonic()
        let expired = all().filter { $0.isExpired(at: now) }.map(\.id)
        for id in expired { delete(id, reason: "idle past its ttl") }
        return expired
    }

    /// Stops every sandbox's runner (the server is stopping); the primary's is the server's own.
    public func stopAll() {
        for hosted in all() { hosted.runner.stop() }
    }

    /// Waits up to `seconds` for attempts in flight on every sandbox beside the primary.
    public func waitForAttemptsInFlight(upTo seconds: Double) {
        for hosted in all() { hosted.runner.waitForAttemptsInFlight(upTo: seconds) }
    }

    // MARK: Internals

    /// Takes `name` (or the next `sandbox-<n>`), or throws 409 / 429.
    private func reserveName(_ asked: String?, enforcingLimit: Bool = true) throws(SandboxHubError) -> String {
        let outcome = state.withLock { state -> Result<String, SandboxHubError> in
            guard !enforcingLimit || state.byID.count + state.reserved.count < maxSandboxes else {
                return .failure(SandboxHubError(429, "This server holds its maximum of \(maxSandboxes) "
                    + "sandbox\(maxSandboxes == 1 ? "" : "es") (--max-sandboxes); delete one first"))
            }
            var name = asked ?? ""
            if asked == nil {
                repeat {
                    state.unnamed += 1
                    name = "sandbox-\(state.unnamed)"
                } while state.byID[name] != nil || state.reserved.contains(name)
            }
            guard state.byID[name] == nil, !state.reserved.contains(name) else {
                return .failure(SandboxHubError(409, "A sandbox named \(name) exists already"))
            }
            state.reserved.insert(name)
            return .success(name)
        }
        return try outcome.get()
    }

    /// Makes the sandbox of `spec`, checks its credentials and tokens clash with no other
    /// sandbox's, keeps it with the archive, and starts routing to it.
    private func host(
        _ spec: SandboxSpec, scenario: Scenario, made: (Scenario, (any SandboxJournal)?) throws -> Sandbox,
        announce: ((any SandboxArchive) -> UInt64)?
    ) throws -> HostedSandbox {
        var scenario = scenario.personalized(for: spec.name)
        if let clock = spec.clock { scenario.clock.mode = clock }
        if let scale = spec.timeScale { scenario.clock.scale = scale }
        let clients = scenario.credentials.map(\.clientID)
        let values = scenario.tokens.map(\.value)
        // The server's own clients and tokens (pre-issued or issued since) are taken too.
        let primaryClients = Set(serverScenario.credentials.map(\.clientID)), primaryTokens = Set(primary.sandbox.tokenValues())
        let clash = state.withLock { state -> SandboxHubError? in
            if let taken = clients.first(where: { state.clients[$0] != nil || primaryClients.contains($0) }) {
                return SandboxHubError(409, "Client \(taken) belongs to another sandbox already")
            }
            if values.contains(where: { state.tokens[$0] != nil || primaryTokens.contains($0) }) {
                return SandboxHubError(409, "A token of this scenario belongs to another sandbox already")
            }
            return nil
        }
        if let clash { throw clash }
        let sandbox = try made(scenario, archive?.journal(for: spec.name))
        let runner = makeRunner(sandbox)
        let hosted = HostedSandbox(id: spec.name, spec: spec, runner: runner, monotonic: monotonic)
        if let announce, let archive { archive.waitUntilDurable(announce(archive)) }
        let known = sandbox.tokenValues()
        state.withLock { state in
            state.reserved.remove(spec.name)
            state.byID[spec.name] = hosted
            state.order.append(spec.name)
            state.ended[spec.name] = nil
            for client in clients { state.clients[client] = spec.name }
            for key in known { state.tokens[key] = spec.name }
        }
        hasOthers.store(true, ordering: .relaxed)
        runner.startRealtime()
        return hosted
    }
}

/// A scenario file reader that keeps what it read, in order.
private func recording(
    _ files: Locked<[SandboxSpec.ScenarioFile]>, _ read: @escaping @Sendable (String) -> [UInt8]?
) -> @Sendable (String) -> [UInt8]? {
    { path in
        let bytes = read(path)
        if let bytes { files.withLock { $0.append(.init(path: path, text: String(decoding: bytes, as: UTF8.self))) } }
        return bytes
    }
}
