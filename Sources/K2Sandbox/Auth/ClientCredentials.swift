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
    constantTimeEquals(String(a), String(b))
}

/// `constantTimeEquals` for strings as they are (no copy): every bearer token is checked with it.
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    a.withUTF8Bytes { x in b.withUTF8Bytes { y in constantTimeEquals(x, y) } }
}

/// Byte equality whose time depends on the lengths only, never on where the bytes differ:
/// eight bytes at a time while both have them, then byte by byte to the longer's end.
func constantTimeEquals(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
    var difference = UInt64(truncatingIfNeeded: x.count ^ y.count)
    let common = min(x.count, y.count), length = max(x.count, y.count)
    var i = 0
    if let xs = x.baseAddress, let ys = y.baseAddress {
        let xr = UnsafeRawPointer(xs), yr = UnsafeRawPointer(ys)
        while i + 8 <= common {
            difference |= xr.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ yr.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
    }
    while i < length {
        difference |= UInt64((i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0))
        i += 1
    }
    return difference == 0
}
