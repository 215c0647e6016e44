import MicroHTTP

/// The token of an `Authorization: Bearer <token>` header (scheme compared case-insensitively).
package func bearerToken(_ request: HTTPRequest) -> String? {
    guard let header = request.headers["Authorization"] else { return nil }
    let bytes = Array(header.utf8)
    let scheme = Array("bearer ".utf8)
    guard bytes.count > scheme.count,
          zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) else { return nil }
    return String(decoding: bytes[scheme.count...], as: UTF8.self).trimmingBlanks()
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (the only blanks HTTP header values have).
    package func trimmingBlanks() -> String {
        let bytes = Array(utf8)
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
