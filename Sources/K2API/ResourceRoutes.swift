import K2HTTP
import K2Sandbox
import MicroHTTP
import OrderedJSON

/// For every kind of the sandbox's registry, under the API versions its definition names:
/// `GET /api/vN/<collection>/:id`, `POST /api/vN/<collection>` to create one, and
/// `POST /api/vN/<collection>/:id/<action>` for its actions. All need a bearer token.
struct ResourceRoutes: Sendable {
    let api: K2API

    func register(into routes: inout Routes) {
        // GETs first: the router tries routes in the order they were added.
        for definition in api.hub.primary.sandbox.kinds.definitions {
            for version in definition.versions {
                // `self` is this prefix and the id, after the origin.
                let collectionPath = Array(definition.path(id: "", version: version).utf8)
                routes.add("GET", "/api/v\(version)/\(definition.collection)/:id", .authenticated { request, context in
                    let id = context.parameters["id"] ?? ""
                    return context.withSandbox { show(definition, collectionPath, id: id, request: request, $0) }
                })
            }
        }
        for definition in api.hub.primary.sandbox.kinds.definitions {
            let kind = definition.kind
            for version in definition.createVersions {
                routes.add("POST", "/api/v\(version)/\(definition.collection)", .authenticated { request, context in
                    // The token's client's key signs the resource's callbacks. Routing checked the
                    // token; one revoked since is refused the same way.
                    switch context.withSandbox({ bearerTokenClient(request, in: $0) }) {
                    case .success(let clientID): return create(definition, version: version, clientID: clientID, request: request, &context)
                    case .failure(let refusal): return K2Responses.unauthorized(refusal.sentence)
                    }
                })
            }
            for action in definition.actions {
                for version in action.versions {
                    routes.add("POST", "/api/v\(version)/\(definition.collection)/:id/\(action.name)", .authenticated { _, context in
                        let id = context.parameters["id"] ?? ""
                        switch context.sandbox.perform(action, on: kind, id: id, owing: &context.durability) {
                        case nil: return K2Responses.error(404, "No \(kind) with id \(id)")
                        case .answered(let status, let body)?: return K2Responses.bytes(status, body.serialized())
                        case .refused(let status, let message)?: return K2Responses.error(status, message)
                        }
                    })
                }
            }
        }
    }

    /// The resource at its current stage, `self` on the origin and version the client used.
    /// `collectionPath` is `/api/vN/<collection>/`, the path of the version the client used.
    private func show(
        _ definition: any ResourceDefinition.Type, _ collectionPath: [UInt8], id: String, request: HTTPRequest,
        _ sandbox: Sandbox
    ) -> HTTPResponse {
        guard let body = sandbox.resource(definition.kind, id: id) else {
            return K2Responses.error(404, "No \(definition.kind) with id \(id)")
        }
        return K2Responses.bytes(200, body.body { url in
            appendRequestOrigin(request, fallback: api.fallbackOrigin, to: &url)
            // Through pointers: the path is shared by the server's threads, and retaining it
            // would pass its reference count between them.
            collectionPath.withUnsafeBufferPointer { url.append(contentsOf: $0) }
            id.withUTF8Bytes { url.append(contentsOf: $0) }
        })
    }

    /// `201`, an empty body, and a lowercase `location` (PHP's SDK reads `getHeaders()['location']`
    /// verbatim) holding the new resource's absolute URL; `400` with K2's message if refused.
    private func create(
        _ definition: any ResourceDefinition.Type, version: Int, clientID: String, request: HTTPRequest,
        _ context: inout RequestContext
    ) -> HTTPResponse {
        let body: JSONObject
        do { body = try RequestBody.jsonObject(request) } catch { return error.response }
        let origin = api.origin(of: request)
        do {
            let id = try context.sandbox.create(definition.kind, body: body, clientID: clientID, origin: origin, version: version,
                                                owing: &context.durability)
            return HTTPResponse(status: 201, headers: HTTPHeaders([("location", origin + definition.path(id: id, version: version))]))
        } catch {
            return K2Responses.error(400, error.message)
        }
    }
}
