import MicroHTTP

/// The origin (`scheme://host[:port]`) a client used to reach this server, for `_links.self`
/// and `location`: taken from `X-Forwarded-Proto`/`X-Forwarded-Host` or `Host`, and only if it
/// looks like a host, so a forged header cannot inject text into bodies.
package func requestOrigin(_ request: HTTPRequest, fallback: () -> String) -> String {
    let forwardedProto = request.headers["X-Forwarded-Proto"]?.lowercased()
    let scheme = forwardedProto == "https" ? "https" : "http"
    guard var host = request.headers["X-Forwarded-Host"] ?? request.headers["Host"],
          host.withUTF8({ !$0.isEmpty && $0.count <= 255 && $0.allSatisfy(isHostByte) })
    else { return fallback() }
    return scheme + "://" + host
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
