/// An OAuth application the sandbox knows: what `/oauth/token` accepts, and the api key that
/// signs its callbacks.
public struct ClientCredentials: Sendable, Equatable {
    public var clientID: String
    public var clientSecret: String
    public var apiKey: String
    /// Lifetime of the tokens issued to this client, in seconds of sandbox time.
    public var tokenTTL: Int64

    /// A client; `tokenTTL` in seconds of sandbox time.
    public init(clientID: String, clientSecret: String, apiKey: String, tokenTTL: Int64 = 3600) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.apiKey = apiKey
        self.tokenTTL = tokenTTL
    }
}

/// Compares secrets in time that depends on their lengths only, not on where they differ.
public func constantTimeEquals(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var difference = UInt8(x.count == y.count ? 0 : 1)
    let length = max(x.count, y.count)
    for i in 0..<length {
        difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
    }
    return difference == 0
}
