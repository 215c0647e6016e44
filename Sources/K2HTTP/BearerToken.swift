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
