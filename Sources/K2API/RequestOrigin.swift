import MicroHTTP

/// The origin (`scheme://host[:port]`) a client used to reach this server, for `_links.self`
/// and `location`: taken from `X-Forwarded-Proto`/`X-Forwarded-Host` or `Host`, and only if it
/// looks like a host, so a forged header cannot inject text into bodies.
public func requestOrigin(_ request: HTTPRequest, fallback: String) -> String {
    let forwardedProto = request.headers["X-Forwarded-Proto"]?.lowercased()
    let scheme = forwardedProto == "https" ? "https" : "http"
    guard let host = request.headers["X-Forwarded-Host"] ?? request.headers["Host"],
          !host.isEmpty, host.utf8.count <= 255,
          host.utf8.allSatisfy({ byte in
              (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                  || [UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "["),
                      UInt8(ascii: "]"), UInt8(ascii: "_")].contains(byte)
          })
    else { return fallback }
    return scheme + "://" + host
}
