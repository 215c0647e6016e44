import K2HTTP
import K2Sandbox
import MicroHTTP

/// With a data directory, a request that changed the sandbox is answered only once what it
/// changed is on disk (docs/data-dir.md): its handler adds what it
/// owes to the request's context, and this step awaits it as committed work. The server's
/// thread serves other requests meanwhile and they share commits, and a server that is
/// stopping waits for it rather than answer 503 for a change it kept.
struct DurableAnswers: RequestStep {
    func handle(
        _ request: HTTPRequest, _ context: inout RequestContext,
        next: @escaping @Sendable (HTTPRequest, inout RequestContext) -> HTTPHandling
    ) -> HTTPHandling {
        let handling = next(request, &context)
        guard context.durability.owesSomething else { return handling }
        let sandbox = context.sandbox, owed = context.durability
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
