import AdminAPI
import Dispatch
import Explanations
import K2API
import K2HTTP
import K2Sandbox
import Locking
import MicroHTTP

/// Sandboxes served over HTTP: the K2 API and the admin API on one listening server, every
/// request through one pipeline (`Pipeline/`). `sandbox` is the server's own; `hub` holds it
/// and any made beside it. `handle` is the same entry point without a socket, for in-process
/// tests.
public final class K2MockServer: Sendable {
    public let sandbox: Sandbox
    public let runner: SandboxRunner
    public let hub: SandboxHub
    private let reaper = Locked<Task<Void, Never>?>(nil)
    private let curl: CurlTransport?
    private let pipeline: RequestPipeline
    private let server = Locked<HTTPServer?>(nil)
    private let listeningOrigin: Locked<String>
    private let configuration: HTTPServer.Configuration
    private let log: RequestLog
    /// Every route served, as method and pattern (`GET /api/v1/payments/:id`), in the order
    /// they are tried; the OpenAPI document describes exactly these.
    public let routes: [(method: String, pattern: String)]

    /// `transport` delivers callbacks; by default libcurl (tests pass a fake).
    /// `maxSandboxes` bounds the sandboxes made beside `sandbox`; `archive` keeps them across
    /// restarts (`--data-dir`).
    public init(
        sandbox: Sandbox, configuration: HTTPServer.Configuration = HTTPServer.Configuration(),
        transport: (any CallbackTransport)? = nil, log: RequestLog = RequestLog(format: .none),
        adminToken: String? = nil, maxSandboxes: Int = 10_000, archive: (any SandboxArchive)? = nil,
        monotonic: @escaping @Sendable () -> UInt64 = SandboxClock.systemMonotonic
    ) {
        self.sandbox = sandbox
        self.log = log
        let curl = transport == nil ? CurlTransport(proxy: sandbox.scenario.callbacks.proxy) : nil
        self.curl = curl
        let sender: any CallbackTransport = transport ?? curl!
        let runner = SandboxRunner(sandbox: sandbox, transport: sender)
        self.runner = runner
        let hub = SandboxHub(primary: runner, maxSandboxes: maxSandboxes, archive: archive, monotonic: monotonic) { made in
            SandboxRunner(sandbox: made, transport: sender)
        }
        self.hub = hub
        var configuration = configuration
        configuration.errorResponse = { status, message in K2Responses.error(status, message) }
        self.configuration = configuration
        let origin = Locked("http://\(configuration.host):\(configuration.port)")
        self.listeningOrigin = origin
        var k2Routes = Routes(), adminRoutes = Routes()
        K2API(hub: hub, fallbackOrigin: { origin.withLock { $0 } }).register(into: &k2Routes)
        let explainer = Explainer(hub: hub, routes: k2Routes.patterns, oauthClient: { exchange in
            K2API.oauthSubject(HTTPRequest(method: exchange.method, path: exchange.path, query: exchange.query,
                                           headers: HTTPHeaders(exchange.requestHeaders), body: exchange.requestBody)).clientID
        })
        // Built on first request, not at start: it is 150 kB of JSON few runs ask for.
        let kinds = sandbox.kinds, openAPI = Locked<[UInt8]?>(nil)
        AdminAPI(hub: hub, fallbackOrigin: { origin.withLock { $0 } }, explain: { query, hosted in
            switch query {
            case .request(let id): explainer.request(id, in: hosted)
            case .resource(let id): explainer.resource(id, in: hosted)
            }
        }, openAPIDocument: {
            openAPI.withLock { cached in
                if let cached { return cached }
                let bytes = Array(OpenAPIDocument.text(kinds: kinds).utf8)
                cached = bytes
                return bytes
            }
        }).register(into: &adminRoutes)
        // Every sandbox's own copy of the admin endpoints, served by `SandboxScope`.
        let scoped = adminRoutes.patterns.filter { SandboxScope.serves($0.pattern) }.map { route in
            (route.method, "/__admin/sandboxes/:sandbox" + route.pattern.dropFirst("/__admin".count))
        }
        self.routes = k2Routes.patterns + adminRoutes.patterns + scoped
        // Admin requests are never faulted nor journalled; K2 requests never need the admin token.
        let durable = DurableAnswers()
        self.pipeline = RequestPipeline(
            admin: RouteGroup([durable] + (adminToken.map { [AdminTokenCheck(token: $0)] } ?? []) + [SandboxScope(hub: hub)],
                              routing: Routing(routes: adminRoutes, answersMethodNotAllowed: true), primary: hub.primary),
            api: RouteGroup([SandboxSelection(hub: hub), durable, RequestJournalling(log: log, explainer: explainer), FaultInjection()],
                            routing: Routing(routes: k2Routes, answersMethodNotAllowed: false), primary: hub.primary))
    }

    /// Starts listening; returns the origin (`http://host:port`, the real port when 0 was asked).
    @discardableResult
    public func start() throws -> String {
        let pipeline = self.pipeline
        let http = HTTPServer(configuration: configuration) { request in pipeline.handle(request) }
        log.start()
        let port = try http.start()
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let origin = "http://\(host):\(port)"
        listeningOrigin.withLock { $0 = origin }
        server.withLock { $0 = http }
        runner.startRealtime()
        // Sandboxes with a ttl end on their own once idle that long.
        let hub = self.hub, log = self.log
        reaper.withLock { reaper in
            reaper = Task.detached {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: 1_000_000_000)
                    for id in hub.endExpired() { log.note("sandbox \(id) ended: idle past its ttl") }
                }
            }
        }
        return origin
    }

    /// Stops: no new connection is accepted and no new delivery attempt starts; POSTs under way
    /// get `deliveryGraceMilliseconds` (wall time) to finish, while requests in flight get the
    /// server's drain time (a clock advance waiting on a POST returns once that POST ends).
    /// Attempts not made stay due in the journal.
    public func stop(deliveryGraceMilliseconds: Int = 1000) {
        let http = server.withLock { current -> HTTPServer? in
            defer { current = nil }
            return current
        }
        runner.stop()
        hub.stopAll()
        reaper.withLock { $0?.cancel() }
        let transportStopped = DispatchSemaphore(value: 0)
        let curl = self.curl
        DispatchQueue.global().async {
            curl?.shutdown(graceMilliseconds: deliveryGraceMilliseconds)
            transportStopped.signal()
        }
        http?.stop()
        transportStopped.wait()
        runner.waitForAttemptsInFlight(upTo: 2)
        hub.waitForAttemptsInFlight(upTo: 2)
        log.stop()
    }

    /// Answers one request as the server would, without a socket.
    public func handle(_ request: HTTPRequest) -> HTTPHandling {
        pipeline.handle(request)
    }
}
