import K2HTTP
import K2Sandbox
import MicroHTTP

/// The Kopo Kopo Connect API over a sandbox: OAuth at the root, resources under `/api/vN/`.
public struct K2API: Sendable {
    /// Every sandbox served: each request is answered by the one its context names.
    public let hub: SandboxHub
    /// The origin to use when a request names no usable `Host` (HTTP/1.0 clients).
    public let fallbackOrigin: @Sendable () -> String

    /// The API over the sandboxes of `hub`; `fallbackOrigin` is this server's own origin.
    public init(hub: SandboxHub, fallbackOrigin: @escaping @Sendable () -> String) {
        self.hub = hub
        self.fallbackOrigin = fallbackOrigin
    }

    /// Adds every K2 route: OAuth, for each kind of the server's registry its GET, create and
    /// actions, and what webhook events link to.
    package func register(into routes: inout Routes) {
        OAuthRoutes(hub: hub).register(into: &routes)
        ResourceRoutes(api: self).register(into: &routes)
        WebhookEventRoutes(api: self).register(into: &routes)
    }

    /// The origin the client used, read only when a body or header needs it.
    func origin(of request: HTTPRequest) -> String {
        requestOrigin(request, fallback: fallbackOrigin)
    }
}
