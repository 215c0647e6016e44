import K2HTTP
import K2Sandbox
import MicroHTTP

/// The Kopo Kopo Connect API over a sandbox: OAuth at the root, resources under `/api/vN/`.
public struct K2API: Sendable {
    public let sandbox: Sandbox
    /// The origin to use when a request names no usable `Host` (HTTP/1.0 clients).
    public let fallbackOrigin: @Sendable () -> String

    /// The API over `sandbox`; `fallbackOrigin` is this server's own origin.
    public init(sandbox: Sandbox, fallbackOrigin: @escaping @Sendable () -> String) {
        self.sandbox = sandbox
        self.fallbackOrigin = fallbackOrigin
    }

    /// Adds every K2 route: OAuth, for each kind of the sandbox's registry its GET, create and
    /// actions, and what webhook events link to.
    package func register(into routes: inout Routes) {
        OAuthRoutes(sandbox: sandbox).register(into: &routes)
        ResourceRoutes(api: self).register(into: &routes)
        WebhookEventRoutes(api: self).register(into: &routes)
    }

    /// The origin the client used, read only when a body or header needs it.
    func origin(of request: HTTPRequest) -> String {
        requestOrigin(request, fallback: fallbackOrigin)
    }
}
