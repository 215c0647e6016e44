import K2Sandbox
import MicroHTTP

/// `GET /api/vN/<collection>/<id>` for every resource kind under the versions that serve it.
struct ResourceRoutes: Sendable {
    let api: K2API

    func register(into router: inout Router<RouteHandler>) {
        for kind in ResourceKind.allCases {
            for version in kind.versions.sorted() {
                router.add("GET", "/api/v\(version)/\(kind.collection)/:id", api.authenticated { request, parameters, _ in
                    show(kind, version: version, id: parameters["id"] ?? "", request: request)
                })
            }
        }
    }

    private func show(_ kind: ResourceKind, version: Int, id: String, request: HTTPRequest) -> HTTPResponse {
        guard let body = api.sandbox.resource(kind, id: id) else {
            return K2Responses.error(404, "No \(kind.rawValue) with id \(id)")
        }
        let selfURL = api.origin(of: request) + kind.path(id: id, version: version)
        return K2Responses.bytes(200, body.body(selfURL: selfURL))
    }
}
