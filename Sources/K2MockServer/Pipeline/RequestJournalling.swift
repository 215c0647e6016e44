import K2HTTP
import K2Sandbox
import MicroHTTP

/// Journals every K2 API request with the status it got (`GET /__admin/requests`, `expect`)
/// and writes its log line, once the response is known. The journal line of a request that
/// changed the sandbox is kept before its answer too.
struct RequestJournalling: RequestStep {
    let log: RequestLog

    func handle(
        _ request: HTTPRequest, _ context: inout RequestContext,
        next: @escaping @Sendable (HTTPRequest, inout RequestContext) -> HTTPHandling
    ) -> HTTPHandling {
        // No closure on the common path: most answers are immediate.
        switch next(request, &context) {
        case .respond(let response):
            record(context.hosted, request.method, request.path, response.status, &context.durability)
            return .respond(response)
        case .deferred(let work):
            return .deferred(recording(request, context.hosted, work))
        case .committed(let work):
            return .committed(recording(request, context.hosted, work))
        case .stream(let head, let stream):
            record(context.hosted, request.method, request.path, head.status, &context.durability)
            return .stream(head, stream)
        }
    }

    private func recording(
        _ request: HTTPRequest, _ hosted: HostedSandbox, _ work: @escaping @Sendable () async -> HTTPResponse
    ) -> @Sendable () async -> HTTPResponse {
        let method = request.method, path = request.path
        return {
            let response = await work()
            var background = Durability()
            record(hosted, method, path, response.status, &background)
            return response
        }
    }

    private func record(_ hosted: HostedSandbox, _ method: String, _ path: String, _ status: Int, _ durability: inout Durability) {
        let at = hosted.sandbox.recordRequest(method: method, path: path, status: status, owing: &durability)
        log.log(at: at, method: method, path: path, status: status, sandbox: hosted.logName)
    }
}
