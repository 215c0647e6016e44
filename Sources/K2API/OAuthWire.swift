import K2HTTP
import K2Sandbox
import MicroHTTP

/// `POST /oauth/token` success body (k2-api.md §3.1), keys in K2's order.
struct TokenResponse: Encodable, Sendable {
    var access_token: String
    var token_type = "Bearer"
    var expires_in: Int64
    var created_at: Int64

    init(token: AccessToken, expiresIn: Int64) {
        access_token = token.value
        expires_in = expiresIn
        created_at = token.createdAt.seconds
    }
}

/// `GET /oauth/token/info` body (k2-api.md §3.4).
struct TokenInfoResponse: Encodable, Sendable {
    struct Application: Encodable, Sendable {
        var uid: String
    }

    var resource_owner_id: String?
    var scope: [String] = []
    var expires_in: Int64?
    var application: Application
    var created_at: Int64

    init(token: AccessToken, now: Timestamp) {
        resource_owner_id = nil
        expires_in = token.secondsRemaining(at: now)
        application = Application(uid: token.clientID)
        created_at = token.createdAt.seconds
    }
}

/// `POST /oauth/introspect` body for an active token (k2-api.md §3.3); inactive is `{"active":false}`.
struct IntrospectionResponse: Encodable, Sendable {
    var active = true
    var scope = ""
    var client_id: String
    var token_type = "Bearer"
    var exp: String?
    var iat: String

    init(token: AccessToken) {
        client_id = token.clientID
        exp = token.expiresAt?.iso8601(fractional: false)
        iat = token.createdAt.iso8601(fractional: false)
    }
}

/// Doorkeeper-style OAuth error body.
struct OAuthErrorResponse: Encodable, Sendable {
    var error: String
    var error_description: String

    init(error: String, description: String) {
        self.error = error
        self.error_description = description
    }
}

extension K2Responses {
    /// Doorkeeper's `{"error","error_description"}` for the OAuth endpoints.
    static func oauthError(_ status: Int, _ error: String, _ description: String) -> HTTPResponse {
        json(status, OAuthErrorResponse(error: error, description: description),
             headers: [("Cache-Control", "no-store"), ("Pragma", "no-cache")])
    }
}
