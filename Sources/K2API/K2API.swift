import K2Sandbox
import MicroHTTP

/// The Kopo Kopo Connect API over a sandbox: OAuth at the root, resources under `/api/vN/`.
public struct K2API: Sendable {
    public let sandbox: Sandbox
    /// The origin to use when a request names no usable `Host` (HTTP/1.0 clients).
    public let fallbackOrigin: @Sendable () -> String

    public init(sandbox: Sandbox, fallbackOrigin: @escaping @Sendable () -> String) {
        self.sandbox = sandbox
        self.fallbackOrigin = fallbackOrigin
    }

    /// Adds every K2 route.
    public func register(into router: inout Router<RouteHandler>) {
        OAuthRoutes(sandbox: sandbox).register(into: &router)
        ResourceRoutes(api: self).register(into: &router)
        CreateRoutes(api: self).register(into: &router)
    }

    func origin(of request: HTTPRequest) -> String {
        requestOrigin(request, fallback: fallbackOrigin())
    }

    /// Runs `body` for a request whose bearer token is valid; 401 otherwise.
    func authenticated(
        _ body: @escaping @Sendable (HTTPRequest, RouteParameters, AccessToken) -> HTTPResponse
    ) -> RouteHandler {
        { [sandbox] request, parameters in
            switch sandbox.checkToken(bearerToken(request)) {
            case .valid(let token): .respond(body(request, parameters, token))
            case let refused: .respond(K2Responses.unauthorized(refused.refusal ?? "Unauthorized"))
            }
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme compared case-insensitively).
func bearerToken(_ request: HTTPRequest) -> String? {
    guard let header = request.headers["Authorization"] else { return nil }
    let bytes = Array(header.utf8)
    let scheme = Array("bearer ".utf8)
    guard bytes.count > scheme.count,
          zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) else { return nil }
    return String(decoding: bytes[scheme.count...], as: UTF8.self).trimmingBlanks()
}
