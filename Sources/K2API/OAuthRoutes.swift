import K2HTTP
import K2Sandbox
import MicroHTTP

/// `/oauth/token`, `/oauth/revoke`, `/oauth/introspect`, `/oauth/token/info` (k2-api.md §3).
struct OAuthRoutes: Sendable {
    let hub: SandboxHub

    func register(into routes: inout Routes) {
        routes.add("POST", "/oauth/token", .open { request, context in .respond(issueToken(request, &context)) })
        routes.add("POST", "/oauth/revoke", .open { request, context in .respond(revoke(request, context.sandbox, &context.durability)) })
        routes.add("POST", "/oauth/introspect", .open { request, context in .respond(introspect(request, context.sandbox)) })
        routes.add("GET", "/oauth/token/info", .open { request, context in .respond(tokenInfo(request, context.sandbox)) })
    }

    private static let invalidClient =
        "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."

    /// Client credentials from the parameters, or from HTTP Basic as Doorkeeper also accepts.
    static func clientCredentials(_ request: HTTPRequest, _ parameters: [String: String]) -> (String, String)? {
        if let id = parameters["client_id"], let secret = parameters["client_secret"] { return (id, secret) }
        guard let header = request.headers["Authorization"], header.lowercased().hasPrefix("basic "),
              let decoded = base64Decode(header.dropFirst(6).trimmingBlanks()),
              let colon = decoded.firstIndex(of: ":") else { return nil }
        return (String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]))
    }

    private func issueToken(_ request: HTTPRequest, _ context: inout RequestContext) -> HTTPResponse {
        let sandbox = context.sandbox
        let parameters: [String: String]
        do { parameters = try RequestBody.parameters(request) } catch { return error.response }
        guard let grant = parameters["grant_type"], !grant.isEmpty else {
            return K2Responses.oauthError(400, "invalid_request",
                "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed. Missing grant_type.")
        }
        guard grant == "client_credentials" else {
            return K2Responses.oauthError(400, "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.")
        }
        guard let (id, secret) = Self.clientCredentials(request, parameters),
              let client = sandbox.client(id: id, secret: secret) else {
            return K2Responses.oauthError(401, "invalid_client", Self.invalidClient)
        }
        let token = hub.issueToken(to: client, in: context.hosted, owing: &context.durability)
        return K2Responses.json(200, TokenResponse(token: token, expiresIn: client.tokenTTL),
                                headers: [("Cache-Control", "no-store"), ("Pragma", "no-cache")])
    }

    /// RFC 7009: 200 `{}` whether or not the token existed. Wrong client credentials are refused.
    private func revoke(_ request: HTTPRequest, _ sandbox: Sandbox, _ durability: inout Durability) -> HTTPResponse {
        let parameters: [String: String]
        do { parameters = try RequestBody.parameters(request) } catch { return error.response }
        if let (id, secret) = Self.clientCredentials(request, parameters), sandbox.client(id: id, secret: secret) == nil {
            return K2Responses.oauthError(401, "invalid_client", Self.invalidClient)
        }
        if let token = parameters["token"], !token.isEmpty {
            sandbox.revokeToken(token, owing: &durability)
        }
        return K2Responses.bytes(200, Array("{}".utf8))
    }

    private func introspect(_ request: HTTPRequest, _ sandbox: Sandbox) -> HTTPResponse {
        let parameters: [String: String]
        do { parameters = try RequestBody.parameters(request) } catch { return error.response }
        if let (id, secret) = Self.clientCredentials(request, parameters), sandbox.client(id: id, secret: secret) == nil {
            return K2Responses.oauthError(401, "invalid_client", Self.invalidClient)
        }
        guard case .valid(let token) = sandbox.checkToken(parameters["token"]) else {
            return K2Responses.bytes(200, Array(#"{"active":false}"#.utf8))
        }
        return K2Responses.json(200, IntrospectionResponse(token: token))
    }

    private func tokenInfo(_ request: HTTPRequest, _ sandbox: Sandbox) -> HTTPResponse {
        let check = sandbox.checkToken(bearerToken(request))
        guard case .valid(let token) = check else {
            // Doorkeeper's InvalidTokenResponse: its body and RFC 6750's challenge.
            let reason = check.refusal ?? "The access token is invalid"
            var response = K2Responses.oauthError(401, "invalid_token", reason)
            response.headers.add("WWW-Authenticate", "Bearer realm=\"Doorkeeper\", error=\"invalid_token\", error_description=\"\(reason)\"")
            return response
        }
        return K2Responses.json(200, TokenInfoResponse(token: token, now: sandbox.now()))
    }
}

/// Standard base64 (padding optional); nil for anything else or non-UTF-8 content.
func base64Decode(_ text: String) -> String? {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var lookup = [UInt8: UInt32]()
    for (index, byte) in alphabet.enumerated() { lookup[byte] = UInt32(index) }
    var bytes: [UInt8] = []
    var buffer: UInt32 = 0, bits = 0
    for byte in text.utf8 where byte != UInt8(ascii: "=") {
        guard let value = lookup[byte] else { return nil }
        buffer = buffer << 6 | value
        bits += 6
        if bits >= 8 {
            bits -= 8
            bytes.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
        }
    }
    return String(validating: bytes, as: UTF8.self)
}

extension K2API {
    /// The client an OAuth request names (its parameters' `client_id`, or HTTP Basic) and the
    /// token it is about (`token`), as far as it parses: what chooses its sandbox.
    package static func oauthSubject(_ request: HTTPRequest) -> (clientID: String?, token: String?) {
        let parameters = (try? RequestBody.parameters(request)) ?? [:]
        return (OAuthRoutes.clientCredentials(request, parameters)?.0 ?? parameters["client_id"], parameters["token"])
    }
}
