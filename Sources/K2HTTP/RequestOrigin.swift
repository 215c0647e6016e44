import MicroHTTP

/// The origin (`scheme://host[:port]`) a client used to reach this server, for `_links.self`
/// and `location`: taken from `X-Forwarded-Proto`/`X-Forwarded-Host` or `Host`, and only if it
/// looks like a host, so a forged header cannot inject text into bodies.
package func requestOrigin(_ request: HTTPRequest, fallback: () -> String) -> String {
    var origin: [UInt8] = []
    appendRequestOrigin(request, fallback: fallback, to: &origin)
    return String(decoding: origin, as: UTF8.self)
}

/// Appends `requestOrigin(_:fallback:)`'s bytes to `out`: every GET of a resource writes its
/// `self` URL straight into its body this way, with no string made on the way.
package func appendRequestOrigin(_ request: HTTPRequest, fallback: () -> String, to out: inout [UInt8]) {
    let headers = request.headers
    // Header values are read in place, as bytes: a lookup returning a string copies it.
    let https = headers.withValue(of: "X-Forwarded-Proto") { proto in
        proto.map { $0.count == 5 && zip($0, "https".utf8).allSatisfy { $0 | 0x20 == $1 } } ?? false
    }
    func append(_ host: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        guard !host.isEmpty, host.count <= 255, host.allSatisfy(isHostByte) else { return false }
        let scheme: StaticString = https ? "https://" : "http://"
        scheme.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: host)
        return true
    }
    let appended = headers.withValue(of: "X-Forwarded-Host") { forwarded in
        if let forwarded { return append(forwarded, to: &out) }
        return headers.withValue(of: "Host") { host in host.map { append($0, to: &out) } ?? false }
    }
    guard !appended else { return }
    var origin = fallback()
    origin.withUTF8 { out.append(contentsOf: $0) }
}

/// Letters, digits and `.-:[]_`: enough for names, IPv4 and bracketed IPv6 with a port.
private func isHostByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
         UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "_"):
        true
    default:
        false
    }
}
