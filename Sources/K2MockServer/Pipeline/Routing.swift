import K2HTTP
import K2Sandbox
import MicroHTTP

/// The end of a route group: finds the request's route, checks the bearer token if the
/// endpoint needs one (`401` saying why), and runs the endpoint with the route's parameters in
/// its context. A method and path with no route is `404`, as K2's Rails router
/// answers it, even where the path has other methods; only the admin group answers `405` with
/// `Allow`.
struct Routing: Sendable {
    let routes: Routes
    /// Whether a path served under other methods answers `405` (the admin API) or `404` (K2).
    let answersMethodNotAllowed: Bool

    func handle(_ request: HTTPRequest, _ context: inout RequestContext) -> HTTPHandling {
        switch routes.match(method: request.method, path: request.path) {
        case .found(let endpoint, let parameters):
            context.parameters = parameters
            switch endpoint.access {
            case .open:
                return endpoint.handle(request, &context)
            case .bearerToken:
                // The token's bytes are read where they are, and nothing of it is copied: a create,
                // which needs the token's client, asks for it (`bearerTokenClient`).
                if let refusal = context.withSandbox({ bearerTokenRefusal(request, in: $0) }) {
                    return .respond(K2Responses.unauthorized(refusal.sentence))
                }
                return endpoint.handle(request, &context)
            }
        case .methodNotAllowed(let allowed):
            let path = context.requestedPath ?? request.path
            guard answersMethodNotAllowed else { return .respond(K2Responses.notFound(request.method, path)) }
            return .respond(K2Responses.methodNotAllowed(request.method, path, allowed: allowed))
        case .notFound:
            return .respond(K2Responses.notFound(request.method, context.requestedPath ?? request.path))
        }
    }
}
