import K2HTTP
import K2Sandbox
import MicroHTTP

/// One step every request of a route group passes on its way to its endpoint: it answers, or
/// hands the request and its context on.
protocol RequestStep: Sendable {
    func handle(
        _ request: HTTPRequest, _ context: inout RequestContext,
        next: @escaping @Sendable (HTTPRequest, inout RequestContext) -> HTTPHandling
    ) -> HTTPHandling
}

/// A group of routes behind its own chain of steps.
struct RouteGroup: Sendable {
    private let entry: @Sendable (HTTPRequest, inout RequestContext) -> HTTPHandling
    /// Where a request goes unless a step chooses another sandbox.
    private let primary: HostedSandbox

    /// `steps` in order, then `routing`; requests start out for `primary`.
    init(_ steps: [any RequestStep], routing: Routing, primary: HostedSandbox) {
        self.primary = primary
        var next: @Sendable (HTTPRequest, inout RequestContext) -> HTTPHandling = { routing.handle($0, &$1) }
        for step in steps.reversed() {
            let following = next
            next = { step.handle($0, &$1, next: following) }
        }
        entry = next
    }

    func handle(_ request: HTTPRequest) -> HTTPHandling {
        var context = RequestContext(hosted: primary)
        return entry(request, &context)
    }
}

/// Where a request goes, built once: its path normalised, then `/__admin` (and below) to the
/// admin group (durable answers → admin token → sandbox scope → routing), everything else to
/// the K2 group (sandbox selection → durable answers → journal → faults → routing, with the
/// bearer token checked there). Each step gets the request's context (`RequestContext`) and
/// hands it on.
struct RequestPipeline: Sendable {
    let admin: RouteGroup
    let api: RouteGroup

    func handle(_ request: HTTPRequest) -> HTTPHandling {
        let path = normalizedPath(request.path)
        guard path != request.path else { return isAdminPath(path) ? admin.handle(request) : api.handle(request) }
        var request = request
        request.path = path
        return isAdminPath(path) ? admin.handle(request) : api.handle(request)
    }
}

/// `/__admin` and everything below it.
func isAdminPath(_ path: String) -> Bool {
    path.hasPrefix("/__admin/") || path == "/__admin"
}

extension HTTPHandling {
    /// The response, awaiting deferred work.
    func resolved() async -> HTTPResponse {
        switch self {
        case .respond(let response): return response
        case .deferred(let work), .committed(let work): return await work()
        case .stream(let head, let stream):
            // Only admin routes stream, and they are never faulted: end it rather than hold it.
            stream.close()
            return head
        }
    }
}
