import K2HTTP
import K2Sandbox
import MicroHTTP

/// The scenario's faults: a matching fault with a status answers instead of the API (nothing
/// the request asks for happens); one with a latency serves it that much wall time later, off
/// the server's threads, so it takes effect late too.
struct FaultInjection: RequestStep {
    let sandbox: Sandbox

    func handle(_ request: HTTPRequest, next: @escaping @Sendable (HTTPRequest) -> HTTPHandling) -> HTTPHandling {
        guard let fault = sandbox.fault(method: request.method, path: request.path) else { return next(request) }
        let answer: @Sendable () -> HTTPHandling = {
            guard let status = fault.status else { return next(request) }
            return .respond(fault.body.map { K2Responses.bytes(status, Array($0.utf8)) }
                ?? K2Responses.error(status, "Fault injected by the scenario"))
        }
        guard let latency = fault.latency else { return answer() }
        return .deferred {
            try? await Task.sleep(nanoseconds: UInt64(max(0, latency.milliseconds)) * 1_000_000)
            return await answer().resolved()
        }
    }
}
