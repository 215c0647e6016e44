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
    public enum Refusal: Error, Sendable {
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
    /// The tokens, in the order added, and where each is by its hash: read in place through
    /// the array's buffer, a token is not copied (its strings retained and released) to be
    /// compared or checked.
    private var tokens: [AccessToken] = []
    private var byHash: [Int: Int] = [:]

    /// Every token's value.
    var values: [String] { tokens.map(\.value) }

    mutating func add(_ token: AccessToken) {
        let (index, hash) = token.value.withUTF8Bytes { bytes in
            let digest = TokenDigest(bytes)
            return (slot(digest), digest.hash)
        }
        if let index {
            tokens[index] = token
            return
        }
        byHash[free(from: hash)] = tokens.count
        tokens.append(token)
    }

    /// Where the token `digest` names is in `tokens`, if the store has it.
    private func slot(_ digest: TokenDigest) -> Int? {
        tokens.withUnsafeBufferPointer { tokens in
            var key = digest.hash
            while let index = byHash[key] {
                if tokens[index].value.withUTF8Bytes({ constantTimeEquals($0, digest.bytes) }) { return index }
                key &+= 1
            }
            return nil
        }
    }

    private func free(from hash: Int) -> Int {
        var key = hash
        while byHash[key] != nil { key &+= 1 }
        return key
    }

    func find(_ digest: TokenDigest) -> AccessToken? {
        slot(digest).map { tokens[$0] }
    }

    /// `digest` is computed by the caller, outside the sandbox's lock.
    func check(_ digest: TokenDigest?, at now: Timestamp) -> TokenCheck {
        guard let digest, !digest.bytes.isEmpty else { return .missing }
        guard let token = find(digest) else { return .unknown }
        if token.revoked { return .revoked(token) }
        if token.isExpired(at: now) { return .expired(token) }
        return .valid(token)
    }

    /// `check(_:at:)` for a request that goes on only with a valid token, which it does not
    /// need: why the token is refused, nil when it is valid. Nothing is copied.
    func refusal(_ digest: TokenDigest?, at now: Timestamp) -> TokenCheck.Refusal? {
        if case .failure(let refusal) = validIndex(digest, at: now) { return refusal }
        return nil
    }

    /// The client a valid token was issued to, or why it is refused: one string copied.
    func client(_ digest: TokenDigest?, at now: Timestamp) -> Result<String, TokenCheck.Refusal> {
        validIndex(digest, at: now).map { index in tokens.withUnsafeBufferPointer { $0[index].clientID } }
    }

    /// Where the valid token `digest` names is, or why it is refused; read in place.
    private func validIndex(_ digest: TokenDigest?, at now: Timestamp) -> Result<Int, TokenCheck.Refusal> {
        guard let digest, !digest.bytes.isEmpty else { return .failure(.missing) }
        guard let index = slot(digest) else { return .failure(.unknown) }
        return tokens.withUnsafeBufferPointer { tokens in
            tokens[index].revoked ? .failure(.revoked) : tokens[index].isExpired(at: now) ? .failure(.expired) : .success(index)
        }
    }

    /// Marks the token revoked at sandbox time `time`; false when it is unknown.
    @discardableResult
    mutating func revoke(_ value: String, at time: Timestamp) -> Bool {
        guard let index = value.withUTF8Bytes({ slot(TokenDigest($0)) }) else { return false }
        tokens[index].revoked = true
        if tokens[index].revokedAt == nil { tokens[index].revokedAt = time }
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
