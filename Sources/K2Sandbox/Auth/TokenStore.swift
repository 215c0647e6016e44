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

    /// Why a token is refused.
    public enum Refusal: Sendable {
        case missing, unknown, expired, revoked

        /// A sentence for the 401 body.
        public var sentence: String {
            switch self {
            case .missing: "The access token is missing"
            case .unknown: "The access token is invalid"
            case .expired: "The access token expired"
            case .revoked: "The access token was revoked"
            }
        }
    }

    /// A sentence for the 401 body: why the token was refused.
    public var refusal: String? {
        switch self {
        case .valid: nil
        case .missing: Refusal.missing.sentence
        case .unknown: Refusal.unknown.sentence
        case .expired: Refusal.expired.sentence
        case .revoked: Refusal.revoked.sentence
        }
    }
}

/// Tokens by a per-process secret hash of their value (Swift's randomly seeded `Hasher`): a
/// guess's lookup compares hashes, never the guess's bytes against a token's, so its timing leaks
/// nothing about a prefix; the final comparison runs in constant time. SipHash over a token is a
/// tenth of the SHA-256 this once used, and every bearer-token request pays it. A token whose
/// hash another already has goes in the next free key (tokens are never removed).
struct TokenStore: Sendable {
    private var tokens: [Int: AccessToken] = [:]

    /// Every token's value.
    var values: [String] { tokens.values.map(\.value) }

    mutating func add(_ token: AccessToken) {
        let key = token.value.withUTF8Bytes { bytes in
            let digest = TokenDigest(bytes)
            return slot(digest) ?? free(from: digest.hash)
        }
        tokens[key] = token
    }

    /// The key of the token `digest` names, if the store has it.
    private func slot(_ digest: TokenDigest) -> Int? {
        var key = digest.hash
        while let index = tokens.index(forKey: key) {
            if tokens.values[index].value.withUTF8Bytes({ constantTimeEquals($0, digest.bytes) }) { return key }
            key &+= 1
        }
        return nil
    }

    private func free(from hash: Int) -> Int {
        var key = hash
        while tokens[key] != nil { key &+= 1 }
        return key
    }

    func find(_ digest: TokenDigest) -> AccessToken? {
        slot(digest).flatMap { tokens[$0] }
    }

    /// `digest` is computed by the caller, outside the sandbox's lock.
    func check(_ digest: TokenDigest?, at now: Timestamp) -> TokenCheck {
        guard let digest, !digest.bytes.isEmpty else { return .missing }
        guard let token = find(digest) else { return .unknown }
        if token.revoked { return .revoked(token) }
        if token.isExpired(at: now) { return .expired(token) }
        return .valid(token)
    }

    /// `check(_:at:)` for a request that goes on only with a valid token: the token goes into
    /// `token`, and the answer is why it was refused (nil when it is valid). One copy of the
    /// token, where a `TokenCheck` returned and matched copied it again.
    func authorize(_ digest: TokenDigest?, at now: Timestamp, into token: inout AccessToken?) -> TokenCheck.Refusal? {
        guard let digest, !digest.bytes.isEmpty else { return .missing }
        guard let key = slot(digest) else { return .unknown }
        token = tokens[key]
        if token!.revoked { token = nil; return .revoked }
        if token!.isExpired(at: now) { token = nil; return .expired }
        return nil
    }

    /// Marks the token revoked at sandbox time `time`; false when it is unknown.
    @discardableResult
    mutating func revoke(_ value: String, at time: Timestamp) -> Bool {
        guard let key = value.withUTF8Bytes({ slot(TokenDigest($0)) }) else { return false }
        tokens[key]?.revoked = true
        if tokens[key]?.revokedAt == nil { tokens[key]?.revokedAt = time }
        return true
    }

    /// The token whose value this is, if the store knows it.
    func token(_ value: String) -> AccessToken? {
        value.withUTF8Bytes { find(TokenDigest($0)) }
    }
}

/// A presented token's bytes and their secret hash: valid only while the bytes are.
package struct TokenDigest {
    let hash: Int
    let bytes: UnsafeBufferPointer<UInt8>

    package init(_ bytes: UnsafeBufferPointer<UInt8>) {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        hash = hasher.finalize()
        self.bytes = bytes
    }
}
