import AdminAPI
import K2HTTP
import K2Sandbox
import MicroHTTP

/// With `--admin-token`, an admin request must carry `Authorization: Bearer <token>` (else
/// `401`); the dashboard's page and assets need no token (they hold no data; the page asks for
/// it).
struct AdminTokenCheck: RequestStep {
    let token: String

    func handle(
        _ request: HTTPRequest, _ context: inout RequestContext,
        next: @escaping @Sendable (HTTPRequest, inout RequestContext) -> HTTPHandling
    ) -> HTTPHandling {
        if !AdminAPI.openPaths.contains(request.path), !constantTimeEquals(bearerToken(request) ?? "", token) {
            return .respond(K2Responses.unauthorized("The admin token is missing or wrong", realm: "k2mock admin"))
        }
        return next(request, &context)
    }
}
