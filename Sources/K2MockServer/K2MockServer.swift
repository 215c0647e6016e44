import AdminAPI
import K2API
import K2Sandbox
import MicroHTTP
import Locking

/// A sandbox served over HTTP: the K2 API and the admin API on one listening server. `handle`
/// is the same entry point without a socket, for in-process tests.
public final class K2MockServer: Sendable {
    public let sandbox: Sandbox
    public let runner: SandboxRunner
    private let curl: CurlTransport?
    private let router: Router<RouteHandler>
    private let server = Locked<HTTPServer?>(nil)
    private let listeningOrigin: Locked<String>
    private let configuration: HTTPServer.Configuration
    private let log: RequestLog
    /// When set, `/__admin` requests must carry `Authorization: Bearer <adminToken>`.
    private let adminToken: String?

    /// `transport` delivers callbacks; by default libcurl (tests pass a fake).
    public init(
        sandbox: Sandbox, configuration: HTTPServer.Configuration = HTTPServer.Configuration(),
        transport: (any CallbackTransport)? = nil, log: RequestLog = RequestLog(format: .none),
        adminToken: String? = nil
    ) {
        self.sandbox = sandbox
        self.log = log
        self.adminToken = adminToken
        let curl = transport == nil ? CurlTransport() : nil
        self.curl = curl
        let runner = SandboxRunner(sandbox: sandbox, transport: transport ?? curl!)
        self.runner = runner
        var configuration = configuration
        configuration.errorResponse = { status, message in K2Responses.error(status, message) }
        self.configuration = configuration
        let origin = Locked("http://\(configuration.host):\(configuration.port)")
        self.listeningOrigin = origin
        var router = Router<RouteHandler>()
        K2API(sandbox: sandbox, fallbackOrigin: { origin.withLock { $0 } }).register(into: &router)
        AdminAPI(runner: runner).register(into: &router)
        self.router = router
    }

    /// Starts listening; returns the origin (`http://host:port`, the real port when 0 was asked).
    @discardableResult
    public func start() throws -> String {
        let router = self.router
        let sandbox = self.sandbox, log = self.log, adminToken = self.adminToken
        let http = HTTPServer(configuration: configuration) { request in
            K2MockServer.serve(request, router: router, sandbox: sandbox, log: log, adminToken: adminToken)
        }
        log.start()
        let port = try http.start()
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let origin = "http://\(host):\(port)"
        listeningOrigin.withLock { $0 = origin }
        server.withLock { $0 = http }
        runner.startRealtime()
        return origin
    }

    /// Stops accepting and finishes requests in flight.
    public func stop() {
        let http = server.withLock { current -> HTTPServer? in
            defer { current = nil }
            return current
        }
        http?.stop()
        runner.stop()
        curl?.shutdown()
        log.stop()
    }

    /// Answers one request as the server would, without a socket.
    public func handle(_ request: HTTPRequest) -> HTTPHandling {
        K2MockServer.serve(request, router: router, sandbox: sandbox, log: log, adminToken: adminToken)
    }

    /// Routes a request; K2 API requests (not `/__admin`) first meet the scenario's faults and
    /// are then journalled with the status they got.
    private static func serve(
        _ request: HTTPRequest, router: Router<RouteHandler>, sandbox: Sandbox, log: RequestLog, adminToken: String?
    ) -> HTTPHandling {
        let path = normalizedPath(request.path)
        if path.hasPrefix("/__admin/") {
            if let adminToken, !constantTimeEquals(request.headers["Authorization"] ?? "", "Bearer " + adminToken) {
                return .respond(K2Responses.unauthorized("The admin token is missing or wrong"))
            }
            return route(request, path: path, router: router)
        }
        let method = request.method
        let fault = sandbox.fault(method: method, path: path)
        if let latency = fault?.latency {
            // Answered after the delay, off the server's threads, so the request takes effect late too.
            return .deferred {
                try? await Task.sleep(nanoseconds: UInt64(max(0, latency.milliseconds)) * 1_000_000)
                let response = await resolve(answer(request, path: path, fault: fault, router: router))
                record(method, path, response.status, sandbox: sandbox, log: log)
                return response
            }
        }
        switch answer(request, path: path, fault: fault, router: router) {
        case .respond(let response):
            record(method, path, response.status, sandbox: sandbox, log: log)
            return .respond(response)
        case .deferred(let work):
            return .deferred {
                let response = await work()
                record(method, path, response.status, sandbox: sandbox, log: log)
                return response
            }
        }
    }

    /// A fault with a status answers instead of the API: nothing the request asks for happens.
    private static func answer(
        _ request: HTTPRequest, path: String, fault: Fault?, router: Router<RouteHandler>
    ) -> HTTPHandling {
        guard let fault, let status = fault.status else { return route(request, path: path, router: router) }
        return .respond(fault.body.map { K2Responses.bytes(status, Array($0.utf8)) }
            ?? K2Responses.error(status, "Fault injected by the scenario"))
    }

    /// Journals and logs a K2 API request with the status it got.
    private static func record(_ method: String, _ path: String, _ status: Int, sandbox: Sandbox, log: RequestLog) {
        let at = sandbox.recordRequest(method: method, path: path, status: status)
        log.log(at: at, method: method, path: path, status: status)
    }

    private static func resolve(_ handling: HTTPHandling) async -> HTTPResponse {
        switch handling {
        case .respond(let response): response
        case .deferred(let work): await work()
        }
    }

    /// `path` is the request's path, normalised once by the caller.
    private static func route(_ request: HTTPRequest, path: String, router: Router<RouteHandler>) -> HTTPHandling {
        switch router.match(method: request.method, path: path) {
        case .found(let handler, let parameters):
            guard request.path != path else { return handler(request, parameters) }
            var request = request
            request.path = path
            return handler(request, parameters)
        case .methodNotAllowed(let allowed):
            return .respond(K2Responses.methodNotAllowed(request.method, path, allowed: allowed))
        case .notFound:
            return .respond(K2Responses.notFound(path))
        }
    }
}
