import K2Sandbox
import MicroHTTP

/// What a route leads to: a handler, and whether the request needs a valid K2 bearer token
/// first (the server's pipeline checks it after routing, so an unknown path is still `404`).
package struct Endpoint: Sendable {
    /// What a request needs before its endpoint runs.
    package enum Access: Sendable {
        /// No K2 bearer token needed (OAuth, the admin API).
        case open
        /// `Authorization: Bearer <token>` must name a valid token, else `401`.
        case bearerToken
    }

    package let access: Access
    /// Gets the request (path normalised) and its context: the route's parameters and, for
    /// `bearerToken` endpoints, the token it carried; a change adds what it owes the journal.
    package let handle: @Sendable (HTTPRequest, inout RequestContext) -> HTTPHandling

    /// An endpoint anyone may call.
    package static func open(_ handle: @escaping @Sendable (HTTPRequest, inout RequestContext) -> HTTPHandling) -> Endpoint {
        Endpoint(access: .open, handle: handle)
    }

    /// An endpoint of the K2 API proper: routing runs it only with a valid bearer token (one
    /// that needs the token's client reads it with `bearerTokenClient`).
    package static func authenticated(
        _ handle: @escaping @Sendable (HTTPRequest, inout RequestContext) -> HTTPResponse
    ) -> Endpoint {
        Endpoint(access: .bearerToken) { request, context in .respond(handle(request, &context)) }
    }
}

/// The routes of one API, by method and path pattern.
package typealias Routes = Router<Endpoint>
