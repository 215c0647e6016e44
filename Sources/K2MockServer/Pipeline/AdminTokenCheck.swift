import AdminAPI
import K2HTTP
import K2Sandbox
import MicroHTTP

/// `/__admin` requests go straight to routing, never faulted nor journalled, and with
/// `--admin-token` only if they carry `Authorization: Bearer <token>` (else `401`); the
/// dashboard's page and assets need no token (they hold no data; the page asks for it).
struct AdminTokenCheck: RequestStep {
    let token: String?
    let routing: Routing

    func handle(_ request: HTTPRequest, next: @escaping @Sendable (HTTPRequest) -> HTTPHandling) -> HTTPHandling {
        guard request.path.hasPrefix("/__admin/") || request.path == "/__admin" else { return next(request) }
        if let token, !AdminAPI.openPaths.contains(request.path),
           !constantTimeEquals(bearerToken(request) ?? "", token) {
            return .respond(K2Responses.unauthorized("The admin token is missing or wrong", realm: "k2mock admin"))
        }
        return routing.handle(request)
    }
}
