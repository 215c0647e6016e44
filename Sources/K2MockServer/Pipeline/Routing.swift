import K2HTTP
import K2Sandbox
import MicroHTTP

/// The end of the pipeline: finds the request's route, checks the bearer token if the endpoint
/// needs one (`401` saying why), and runs the endpoint. A method and path with no route is
/// `404`, as K2's Rails router answers it, even where the path has other methods; only the
/// admin API answers `405` with `Allow`.
struct Routing: Sendable {
    let routes: Routes
    let sandbox: Sandbox

    func handle(_ request: HTTPRequest) -> HTTPHandling {
        switch routes.match(method: request.method, path: request.path) {
        case .found(let endpoint, let parameters):
            switch endpoint.access {
            case .open:
                return endpoint.handle(request, parameters, nil)
            case .bearerToken:
                switch sandbox.checkToken(bearerToken(request)) {
                case .valid(let token): return endpoint.handle(request, parameters, token)
                case let refused: return .respond(K2Responses.unauthorized(refused.refusal ?? "Unauthorized"))
                }
            }
        case .methodNotAllowed(let allowed):
            guard request.path.hasPrefix("/__admin/") else { return .respond(K2Responses.notFound(request.method, request.path)) }
            return .respond(K2Responses.methodNotAllowed(request.method, request.path, allowed: allowed))
        case .notFound:
            return .respond(K2Responses.notFound(request.method, request.path))
        }
    }
}
