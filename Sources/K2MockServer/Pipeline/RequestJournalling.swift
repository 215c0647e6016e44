import K2Sandbox
import MicroHTTP

/// Journals every K2 API request with the status it got (`GET /__admin/requests`, `expect`)
/// and writes its log line, once the response is known.
struct RequestJournalling: RequestStep {
    let sandbox: Sandbox
    let log: RequestLog

    func handle(_ request: HTTPRequest, next: @escaping @Sendable (HTTPRequest) -> HTTPHandling) -> HTTPHandling {
        let method = request.method, path = request.path
        let sandbox = self.sandbox, log = self.log
        return next(request).observed { response in
            let at = sandbox.recordRequest(method: method, path: path, status: response.status)
            log.log(at: at, method: method, path: path, status: response.status)
        }
    }
}
