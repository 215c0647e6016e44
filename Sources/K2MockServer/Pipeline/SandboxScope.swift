import K2HTTP
import K2Sandbox
import MicroHTTP

/// `/__admin/sandboxes/{id}/<rest>` is `/__admin/<rest>` for sandbox `id`: every admin endpoint
/// serves every sandbox. An unknown id is `404` (saying so if it was deleted).
struct SandboxScope: RequestStep {
    let hub: SandboxHub

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
        hosted.touch()
        var scoped = request
        scoped.path = "/__admin" + rest[slash...]
        context.hosted = hosted
        return next(scoped, &context)
    }
}
