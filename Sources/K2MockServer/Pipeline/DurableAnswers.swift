import K2Sandbox
import MicroHTTP

/// With a data directory, a request that changed the sandbox is answered only once what it
/// changed is on disk (README "A sandbox that survives restarts"). The wait is awaited as
/// committed work: the server's thread serves other requests meanwhile and they share commits,
/// and a server that is stopping waits for it rather than answer 503 for a change it kept.
struct DurableAnswers: RequestStep {
    let sandbox: Sandbox

    func handle(_ request: HTTPRequest, next: @escaping @Sendable (HTTPRequest) -> HTTPHandling) -> HTTPHandling {
        guard sandbox.isJournalled else { return next(request) }
        let (handling, owed) = sandbox.answeringDurably { next(request) }
        guard owed > 0 else { return handling }
        let sandbox = self.sandbox
        switch handling {
        case .respond(let response):
            return .committed {
                await sandbox.awaitDurable(owed)
                return response
            }
        case .deferred(let work), .committed(let work):
            return .committed {
                await sandbox.awaitDurable(owed)
                return await work()
            }
        case .stream:
            // Streams change nothing.
            return handling
        }
    }
}
