import K2HTTP
import MicroHTTP

/// One step every request passes on its way to its endpoint: it answers, or hands the request on.
protocol RequestStep: Sendable {
    func handle(_ request: HTTPRequest, next: @escaping @Sendable (HTTPRequest) -> HTTPHandling) -> HTTPHandling
}

/// The chain a request goes through, built once: its path normalised, then each step in order
/// (durable answers → admin token → journal → faults), then routing (route → bearer token →
/// endpoint).
struct RequestPipeline: Sendable {
    private let entry: @Sendable (HTTPRequest) -> HTTPHandling

    init(_ steps: [any RequestStep], routing: Routing) {
        var next: @Sendable (HTTPRequest) -> HTTPHandling = { routing.handle($0) }
        for step in steps.reversed() {
            let following = next
            next = { step.handle($0, next: following) }
        }
        entry = next
    }

    func handle(_ request: HTTPRequest) -> HTTPHandling {
        let path = normalizedPath(request.path)
        guard path != request.path else { return entry(request) }
        var request = request
        request.path = path
        return entry(request)
    }
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
