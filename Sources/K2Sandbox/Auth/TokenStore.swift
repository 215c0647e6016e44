/// A bearer token the sandbox issued or was given by the scenario.
public struct AccessToken: Sendable, Equatable {
    public var value: String
    public var clientID: String
    public var createdAt: Timestamp
    /// nil: never expires (pre-issued tokens unless the scenario says otherwise).
    public var expiresAt: Timestamp?
    public var revoked = false
    /// Sandbox time it was revoked at, if it was.
    public var revokedAt: Timestamp?

    /// A token for `clientID`, created and expiring at these sandbox times (nil: never).
    public init(value: String, clientID: String, createdAt: Timestamp, expiresAt: Timestamp?) {
        self.value = value
        self.clientID = clientID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// Whether sandbox time `now` is at or past its expiry.
    public func isExpired(at now: Timestamp) -> Bool {
        expiresAt.map { now >= $0 } ?? false
    }

    /// Whole seconds left at `now` (0 once expired); nil for tokens that never expire.
    public func secondsRemaining(at now: Timestamp) -> Int64? {
        expiresAt.map { max(0, ($0.milliseconds - now.milliseconds) / 1000) }
    }
}

/// What a presented bearer token amounts to.
public enum TokenCheck: Sendable, Equatable {
    case valid(AccessToken)
    case missing
    case unknown
    case expired(AccessToken)
    case revoked(AccessToken)

    /// A sentence for the 401 body: why the token was refused.
    public var refusal: String? {
        switch self {
        case .valid: nil
        case .missing: "The access token is missing"
        case .unknown: "The access token is invalid"
        case .expired: "The access token expired"
        case .revoked: "The access token was revoked"
        }
    }
}

/// Tokens by a per-process secret hash of their value (Swift's randomly seeded `Hasher`): a
/// guess's lookup compares hashes, never the guess's bytes against a token's, so its timing leaks
/// nothing about a prefix; the final comparison runs in constant time. SipHash over a token is a
/// tenth of the SHA-256 this once used, and every bearer-token request pays it.
struct TokenStore: Sendable {
    private var tokens: [TokenDigest.Key: AccessToken] = [:]

    /// Every token's value.
    var values: [String] { tokens.values.map(\.value) }

    mutating func add(_ token: AccessToken) {
        tokens[TokenDigest(token.value).key] = token
    }

    func find(_ digest: TokenDigest) -> AccessToken? {
        guard let token = tokens[digest.key], constantTimeEquals(token.value, digest.value) else { return nil }
        return token
    }

    /// `digest` is computed by the caller, outside the sandbox's lock.
    func check(_ digest: TokenDigest?, at now: Timestamp) -> TokenCheck {
        guard let digest, !digest.value.isEmpty else { return .missing }
        guard let token = find(digest) else { return .unknown }
        if token.revoked { return .revoked(token) }
        if token.isExpired(at: now) { return .expired(token) }
        return .valid(token)
    }

    /// Marks the token revoked at sandbox time `time`; false when it is unknown.
    @discardableResult
    mutating func revoke(_ value: String, at time: Timestamp) -> Bool {
        let digest = TokenDigest(value)
        guard find(digest) != nil else { return false }
        tokens[digest.key]?.revoked = true
        if tokens[digest.key]?.revokedAt == nil { tokens[digest.key]?.revokedAt = time }
        return true
    }

    /// The token whose value this is, if the store knows it.
    func token(_ value: String) -> AccessToken? {
        find(TokenDigest(value))
    }
}

/// A presented token and its secret hash, the store's key.
struct TokenDigest: Sendable {
    /// The value's hash under this process's random seed, and the value. Keys compare hashes
    /// first and values only when those are equal, which a guess cannot arrange without the
    /// seed; two tokens whose hashes collide still keep a key each.
    struct Key: Hashable, Sendable {
        let hash: Int
        let value: String

        static func == (a: Key, b: Key) -> Bool { a.hash == b.hash && a.value == b.value }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    let key: Key
    /// The token as presented.
    var value: String { key.value }

    init(_ value: String) {
        var hasher = Hasher()
        value.withUTF8Bytes { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        key = Key(hash: hasher.finalize(), value: value)
    }
}
