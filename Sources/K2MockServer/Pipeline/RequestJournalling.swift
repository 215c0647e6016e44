import Explanations
import K2HTTP
import K2Sandbox
import MicroHTTP

/// Journals every K2 API request with the status it got (`GET /__admin/requests`, `expect`)
/// and with its answer in full (`GET /__admin/transcript`), and writes its log line, once the
/// response is known. The journal line of a request that changed the sandbox is kept before its
/// answer too.
struct RequestJournalling: RequestStep {
    let log: RequestLog
    /// Says why a refused request was refused, for its log line (only those are explained).
    let explainer: Explainer

    func handle(
        _ request: HTTPRequest, _ context: inout RequestContext,
        next: @escaping @Sendable (HTTPRequest, inout RequestContext) -> HTTPHandling
    ) -> HTTPHandling {
        // No closure on the common path: most answers are immediate. The answer is handed on
        // as it came (rebuilt from its parts, it was copied).
        let handling = next(request, &context)
        switch handling {
        case .respond(let response):
            // The hosted sandbox lent, not retained: the context holds it (a retain and a
            // release on an object both server threads share, per request).
            Unmanaged.passUnretained(context.hosted)._withUnsafeGuaranteedRef { hosted in
                record(hosted, request, response, fault: context.fault, &context.durability)
            }
            return handling
        case .deferred(let work):
            return .deferred(recording(request, context.hosted, context.fault, work))
        case .committed(let work):
            return .committed(recording(request, context.hosted, context.fault, work))
        case .stream(let head, _):
            record(context.hosted, request, head, fault: context.fault, &context.durability)
            return handling
        }
    }

    private func recording(
        _ request: HTTPRequest, _ hosted: HostedSandbox, _ fault: FaultNote?, _ work: @escaping @Sendable () async -> HTTPResponse
    ) -> @Sendable () async -> HTTPResponse {
        return {
            let response = await work()
            var background = Durability()
            record(hosted, request, response, fault: fault, &background)
            return response
        }
    }

    private func record(
        _ hosted: HostedSandbox, _ request: HTTPRequest, _ response: HTTPResponse, fault: FaultNote?,
        _ durability: inout Durability
    ) {
        // Only a refused request, or an accepted create, is looked into. Any other hands the
        // sandbox its parts: the transcript builds an exchange only when it differs from the
        // one before, and a client polling one payment costs it no copy.
        let at: Timestamp, reason: String?
        if log.format == .none || (response.status < 400 && request.method != "POST") {
            at = hosted.sandbox.recordRequest(
                method: request.method, path: request.path, query: request.query, requestHeaders: request.headers.fields,
                requestBody: request.body, status: response.status, responseHeaders: response.headers.fields,
                responseBody: response.body, fault: fault, owing: &durability)
            reason = nil
        } else {
            let exchange = Exchange(
                method: request.method, path: request.path, query: request.query, requestHeaders: request.headers.fields,
                requestBody: request.body, status: response.status, responseHeaders: response.headers.fields,
                responseBody: response.body, fault: fault)
            at = hosted.sandbox.recordRequest(
                method: request.method, path: request.path, status: response.status, exchange: exchange, owing: &durability)
            reason = explainer.reason(exchange, at: at, in: hosted)
        }
        log.log(at: at, method: request.method, path: request.path, status: response.status, sandbox: hosted.logName, reason: reason)
    }
}
