import K2Sandbox
import MicroHTTP

/// With a data directory, a request that changed the sandbox is answered only once what it
/// changed is on disk (README "A sandbox that survives restarts"). The wait is awaited as
/// deferred work, so the server's thread serves other requests meanwhile and they share commits.
struct DurableAnswers: RequestStep {
    let sandbox: Sandbox

    func handle(_ request: HTTPRequest, next: @escaping @Sendable (HTTPRequest) -> HTTPHandling) -> HTTPHandling {
        guard sandbox.isJournalled else { return next(request) }
        let (handling, owed) = sandbox.answeringDurably { next(request) }
        guard let owed else { return handling }
        switch handling {
        case .respond(let response):
            return .deferred {
                await owed()
                return response
            }
        case .deferred(let work):
            return .deferred {
                await owed()
                return await work()
            }
        case .stream:
            // Streams change nothing.
            return handling
        }
    }
}
