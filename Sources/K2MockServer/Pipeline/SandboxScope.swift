import AdminAPI
import K2HTTP
import K2Sandbox
import MicroHTTP

/// `/__admin/sandboxes/{id}/<rest>` is `/__admin/<rest>` for sandbox `id`: every admin endpoint
/// of a sandbox serves every sandbox (not the server-wide ones: the dashboard's files, the
/// topics, this document, the sandboxes themselves). An unknown id is `404` (saying so if it
/// was deleted).
struct SandboxScope: RequestStep {
    let hub: SandboxHub

    /// Whether admin path `path` has a copy under each sandbox.
    static func serves(_ path: String) -> Bool {
        path.hasPrefix("/__admin/") && !path.hasPrefix("/__admin/sandboxes") && !AdminAPI.openPaths.contains(path)
            && !AdminAPI.serverWidePaths.contains(path)
    }

    func handle(
        _ request: HTTPRequest, _ context: inout RequestContext,
        next: @escaping @Sendable (HTTPRequest, inout RequestContext) -> HTTPHandling
    ) -> HTTPHandling {
        let prefix = "/__admin/sandboxes/"
        guard request.path.hasPrefix(prefix) else { return next(request, &context) }
        let rest = request.path.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/") else { return next(request, &context) }
        let id = String(rest[..<slash])
        guard let hosted = hub.sandbox(id), !id.isEmpty else {
            return .respond(K2Responses.error(404, hub.endedReason(id) ?? "No sandbox \(id)"))
        }
        var scoped = request
        scoped.path = "/__admin" + rest[slash...]
        guard Self.serves(scoped.path) else { return .respond(K2Responses.notFound(request.method, request.path)) }
        hosted.touch()
        context.hosted = hosted
        context.requestedPath = request.path
        return next(scoped, &context)
    }
}
