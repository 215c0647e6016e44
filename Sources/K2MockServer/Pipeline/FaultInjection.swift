import K2HTTP
import K2Sandbox
import MicroHTTP

/// The scenario's faults: a matching fault with a status answers instead of the API (nothing
/// the request asks for happens); one with a latency serves it that much wall time later, off
/// the server's threads, so it takes effect late too (and is answered once durable).
struct FaultInjection: RequestStep {
    func handle(
        _ request: HTTPRequest, _ context: inout RequestContext,
        next: @escaping @Sendable (HTTPRequest, inout RequestContext) -> HTTPHandling
    ) -> HTTPHandling {
        guard let fault = context.withSandbox({ $0.fault(method: request.method, path: request.path) }) else {
            return next(request, &context)
        }
        let source = fault.source ?? "the scenario"
        context.fault = fault.status != nil ? .answered(source) : .delayed(source)
        if let status = fault.status, fault.latency == nil { return .respond(Self.answer(status, fault)) }
        guard let latency = fault.latency else { return next(request, &context) }
        let later = context, sandbox = context.hosted.sandbox
        return .deferred {
            try? await Task.sleep(nanoseconds: UInt64(max(0, latency.milliseconds)) * 1_000_000)
            if let status = fault.status { return Self.answer(status, fault) }
            var context = later
            let response = await next(request, &context).resolved()
            await sandbox.awaitDurable(context.durability)
            return response
        }
    }

    private static func answer(_ status: Int, _ fault: Fault) -> HTTPResponse {
        fault.body.map { K2Responses.bytes(status, Array($0.utf8)) } ?? K2Responses.error(status, "Fault injected by the scenario")
    }
}
