public import K2MockServer
public import K2Sandbox
public import OrderedJSON

/// A sandbox started by `withSandbox`, listening on loopback: point the code under test at
/// `baseURL` with `credentials`, then drive and inspect the sandbox directly, in-process (no
/// admin HTTP calls). It is the server's own sandbox, or one made beside it (`sandbox(name:)`,
/// `withSandbox(on:)`), isolated from every other. Every method may be called from any task;
/// none blocks a thread of Swift's cooperative pool.
public final class TestSandbox: Sendable {
    /// The server, for what this type does not wrap (its `handle` answers requests without a socket).
    public let server: K2MockServer
    /// Where it listens: `http://127.0.0.1:PORT`, no trailing slash. K2's SDKs take it as their
    /// base URL (Python's with a trailing `/`).
    public let baseURL: String
    /// The port it listens on.
    public let port: Int
    let hosted: HostedSandbox

    init(server: K2MockServer, baseURL: String, hosted: HostedSandbox? = nil) {
        self.server = server
        self.baseURL = baseURL
        self.port = Int(baseURL.split(separator: ":").last ?? "") ?? 0
        self.hosted = hosted ?? server.hub.primary
    }

    /// The sandbox behind it: its scenario, clock and state.
    public var sandbox: Sandbox { hosted.sandbox }

    /// Its id on the server (`""` for the server's own).
    public var id: String { hosted.id }

    /// Its clients: what the code under test authenticates with (`/oauth/token`). A sandbox
    /// made beside the server's own has its scenario's with `-<id>` appended.
    public var credentials: [ClientCredentials] { sandbox.scenario.credentials }

    /// A sandbox of its own on the same server, isolated from this one and every other, found by
    /// its `credentials` and tokens. `scenario` nil is the server's scenario; `clock` nil keeps
    /// the scenario's. End it with `delete()` (or use `withSandbox(on:)`, which does). Throws
    /// `TestSandboxError.refused` with the server's status and reason (an invalid scenario, a
    /// name taken, too many sandboxes).
    public func sandbox(
        name: String? = nil, scenario: TestScenario? = nil, seed: UInt64? = nil, clock: ClockMode? = .manual
    ) throws -> TestSandbox {
        var request = SandboxHub.Request()
        request.name = name
        (request.scenarioPath, request.scenarioYAML) = scenario?.fields ?? (nil, nil)
        request.seed = seed
        request.clock = clock
        do {
            return TestSandbox(server: server, baseURL: baseURL, hosted: try server.hub.create(request))
        } catch {
            throw TestSandboxError.refused(status: error.status, error.message)
        }
    }

    /// Ends a sandbox made by `sandbox(name:)`: its tokens answer 401 from then on. The server's
    /// own sandbox is not ended.
    public func delete() {
        guard !hosted.isPrimary else { return }
        server.hub.delete(hosted.id)
    }

    /// Sandbox time now.
    public func now() -> Timestamp { sandbox.now() }

    /// Moves sandbox time forward by `seconds` (sandbox seconds, not negative) and runs everything
    /// that falls due, callbacks included, as `POST /__admin/clock/advance` does. Returns what
    /// happened, in order. Throws `TestSandboxError.stopping` if the sandbox is stopping.
    @discardableResult
    public func advance(seconds: Double) async throws -> [Occurrence] {
        guard seconds.isFinite, seconds >= 0, seconds <= SandboxClock.maxAdvanceSeconds else {
            throw TestSandboxError.invalidAdvance(seconds)
        }
        let advance = await hosted.runner.advance(by: TimeSpan(milliseconds: Int64((seconds * 1000).rounded())))
        if advance.stoppedShortAt != nil { throw TestSandboxError.stopping }
        return advance.happened
    }

    /// Every callback and webhook delivery, oldest first, each with its attempts.
    public func callbacks() -> [Delivery] { sandbox.deliveries() }

    /// The K2 API requests it answered (not `/__admin`), oldest first.
    public func requests() -> [RequestRecord] { sandbox.requests() }

    /// Every resource, fixtures first, then created ones oldest first, at its current stage.
    public func resources() -> [ResourceSnapshot] { sandbox.resources() }

    /// The resource of `kind` (`"payment"`, `"incoming_payment"`, ...) with this id, if any.
    public func resource(_ kind: String, id: String) -> ResourceSnapshot? {
        resources().first { $0.kind.rawValue == kind && $0.id.lowercased() == id.lowercased() }
    }

    /// Fires the webhook event `topic` (`"buygoods_transaction_received"`, ...) now, with
    /// `resource` fields set on the topic's default resource, as `POST /__admin/events` does;
    /// `delay` (sandbox time), `duplicates` and `badSignature` make its deliveries misbehave on
    /// purpose. On a manual clock its deliveries are made before this returns.
    /// Throws `TestSandboxError.unknownTopic` (listing the topics), `.resourceNotAnObject` or `.stopping`.
    @discardableResult
    public func fireEvent(
        _ topic: String, resource: JSON = [:], delay: TimeSpan = .zero, duplicates: Int = 0, badSignature: Bool = false
    ) async throws -> FiredEvent {
        guard let known = WebhookTopic(rawValue: topic) else { throw TestSandboxError.unknownTopic(topic) }
        guard let fields = resource.objectValue else { throw TestSandboxError.resourceNotAnObject }
        let quirks = DeliveryQuirks(delay: delay, duplicates: max(0, min(duplicates, 100)), badSignature: badSignature)
        let fired = sandbox.fire(ScriptedEvent(topic: known, resource: fields, quirks: quirks))
        if sandbox.clockMode == .manual { try await advance(seconds: 0) }
        return fired
    }

    /// Back to the scenario's initial state, as `POST /__admin/reset` does.
    public func reset() { sandbox.reset() }

    /// The scenario's expectations, each with the count it saw.
    public func expectations() -> [ExpectationResult] { sandbox.verify() }

    /// A new bearer token for the scenario's first client (or `clientID`'s), as
    /// `POST /oauth/token` issues it. Throws `TestSandboxError.noClient` if there is none.
    public func accessToken(clientID: String? = nil) throws -> String {
        let credentials = sandbox.scenario.credentials
        guard let client = clientID.map({ id in credentials.first { $0.clientID == id } }) ?? credentials.first else {
            throw TestSandboxError.noClient(clientID)
        }
        var owed = Durability()
        let token = server.hub.issueToken(to: client, in: hosted, owing: &owed)
        sandbox.waitUntilDurable(owed)
        return token.value
    }

    /// Sends one request over the socket, as a client would, and reads the answer (on a thread
    /// of its own). `path` starts with `/`.
    public func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: String = ""
    ) async throws -> RawHTTPClient.Response {
        let port = self.port
        return try await offThePool {
            try RawHTTPClient(port: port).request(method, path, headers: headers, body: body)
        }
    }
}


/// Why a test sandbox refused a call.
public enum TestSandboxError: Error, Equatable, CustomStringConvertible {
    case invalidAdvance(Double)
    case unknownTopic(String)
    case noClient(String?)
    case resourceNotAnObject
    case stopping
    /// The server refused to make a sandbox: its HTTP status and reason.
    case refused(status: Int, String)

    public var description: String {
        switch self {
        case .invalidAdvance(let seconds): return "cannot advance by \(seconds) s: give a number of seconds from 0 to 1e10 (about 317 years)"
        case .unknownTopic(let topic):
            return "no webhook topic \"\(topic)\"; topics: \(WebhookTopic.all.map(\.rawValue).joined(separator: ", "))"
        case .noClient(let id): return id.map { "the scenario has no client \"\($0)\"" } ?? "the scenario has no client credentials"
        case .resourceNotAnObject: return "an event's resource must be a JSON object of fields"
        case .stopping: return "the sandbox is stopping"
        case .refused(let status, let reason): return "the server refused the sandbox (\(status)): \(reason)"
        }
    }
}
