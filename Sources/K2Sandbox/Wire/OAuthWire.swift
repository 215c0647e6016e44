/// `POST /oauth/token` success body (k2-api.md §3.1), keys in K2's order.
public struct TokenResponse: Encodable, Sendable {
    public var access_token: String
    public var token_type = "Bearer"
    public var expires_in: Int64
    public var created_at: Int64

    public init(token: AccessToken, expiresIn: Int64) {
        access_token = token.value
        expires_in = expiresIn
        created_at = token.createdAt.seconds
    }
}

/// `GET /oauth/token/info` body (k2-api.md §3.4).
public struct TokenInfoResponse: Encodable, Sendable {
    public struct Application: Encodable, Sendable {
        public var uid: String
    }

    public var resource_owner_id: String?
    public var scope: [String] = []
    public var expires_in: Int64?
    public var application: Application
    public var created_at: Int64

    public init(token: AccessToken, now: Timestamp) {
        resource_owner_id = nil
        expires_in = token.secondsRemaining(at: now)
        application = Application(uid: token.clientID)
        created_at = token.createdAt.seconds
    }
}

/// `POST /oauth/introspect` body for an active token (k2-api.md §3.3); inactive is `{"active":false}`.
public struct IntrospectionResponse: Encodable, Sendable {
    public var active = true
    public var scope = ""
    public var client_id: String
    public var token_type = "Bearer"
    public var exp: String?
    public var iat: String

    public init(token: AccessToken) {
        client_id = token.clientID
        exp = token.expiresAt?.iso8601(fractional: false)
        iat = token.createdAt.iso8601(fractional: false)
    }
}

/// Doorkeeper-style OAuth error body.
public struct OAuthErrorResponse: Encodable, Sendable {
    public var error: String
    public var error_description: String

    public init(error: String, description: String) {
        self.error = error
        self.error_description = description
    }
}

/// K2's API error body: `{"error_code":<status>,"error_message":"..."}` (k2-api.md §8).
public struct ErrorResponse: Encodable, Sendable {
    public var error_code: Int
    public var error_message: String

    public init(status: Int, message: String) {
        error_code = status
        error_message = message
    }
}
