import K2API
import K2HTTP
import K2Sandbox
import MicroHTTP

/// Chooses the sandbox a K2 request is for, by what the app already sends: an OAuth request
/// by its client id (or, for revoke and introspect without one, by the token it names), any
/// other by its bearer token. Unknown credentials and tokens go to the server's own sandbox,
/// which answers them as K2 does. With no sandbox beside the server's own this costs nothing.
struct SandboxSelection: RequestStep {
    let hub: SandboxHub

    func handle(
        _ request: HTTPRequest, _ context: inout RequestContext,
        next: @escaping @Sendable (HTTPRequest, inout RequestContext) -> HTTPHandling
    ) -> HTTPHandling {
        guard hub.hostsOthers else { return next(request, &context) }
        let hosted: HostedSandbox
        if request.path.hasPrefix("/oauth/"), request.path != "/oauth/token/info" {
            let (clientID, token) = K2API.oauthSubject(request)
            hosted = clientID.map { hub.forClient($0) } ?? hub.forToken(token)
        } else {
            hosted = hub.forToken(bearerToken(request))
        }
        hosted.touch()
        context.hosted = hosted
        return next(request, &context)
    }
}
