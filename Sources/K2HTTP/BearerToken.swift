import K2Sandbox
import MicroHTTP

/// The token of an `Authorization: Bearer <token>` header (scheme compared case-insensitively),
/// without the blanks around it.
package func bearerToken(_ request: HTTPRequest) -> String? {
    request.headers.withValue(of: "Authorization") { header in
        header.flatMap(bearerToken).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// `bearerToken(_:)` of an `Authorization` value's bytes: the token's bytes, where they are.
package func bearerToken(_ header: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
    let scheme: StaticString = "bearer "
    let length = scheme.utf8CodeUnitCount
    guard header.count > length, (0..<length).allSatisfy({ header[$0] | 0x20 == scheme.utf8Start[$0] }) else { return nil }
    return trimmedBlanks(UnsafeBufferPointer(rebasing: header[length...]))
}

/// Why `request`'s bearer token is refused in `sandbox` now, nil when it is valid, read from
/// the `Authorization` header's bytes where they are (a header of another scheme counts as
/// none). Nothing of the token is copied: routing checks every K2 API request this way.
package func bearerTokenRefusal(_ request: HTTPRequest, in sandbox: Sandbox) -> TokenCheck.Refusal? {
    request.headers.withValue(of: "Authorization") { header in sandbox.refusal(ofToken: presentedToken(header)) }
}

/// The client `request`'s bearer token was issued to in `sandbox`, when the token is valid now;
/// else why it is refused (a create signs its callbacks with the client's key).
package func bearerTokenClient(_ request: HTTPRequest, in sandbox: Sandbox) -> Result<String, TokenCheck.Refusal> {
    var client = Result<String, TokenCheck.Refusal>.failure(.missing)
    request.headers.withValue(of: "Authorization") { header in client = sandbox.client(ofToken: presentedToken(header)) }
    return client
}

/// The token an `Authorization` value's bytes present: nil without the header, empty for one
/// of another scheme (both refused as missing).
private func presentedToken(_ header: UnsafeBufferPointer<UInt8>?) -> UnsafeBufferPointer<UInt8>? {
    header.map { bearerToken($0) ?? UnsafeBufferPointer(start: nil, count: 0) }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (the only blanks HTTP header values have).
    package func trimmingBlanks() -> String {
        var copy = String(self)
        return copy.withUTF8 { String(decoding: trimmedBlanks($0), as: UTF8.self) }
    }
}

/// `bytes` without leading and trailing spaces and tabs.
private func trimmedBlanks(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var start = 0, end = bytes.count
    while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
    while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
    return UnsafeBufferPointer(rebasing: bytes[start..<end])
}
