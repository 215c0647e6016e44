import MicroHTTP
import OrderedJSON

/// Building responses in K2's shapes: compact JSON with K2's key order and K2's error body,
/// for the K2 API, the admin API and the server's own refusals.
package enum K2Responses {
    static let jsonContentType = "application/json; charset=utf-8"

    /// A compact JSON body with K2's key order.
    package static func json(_ status: Int, _ value: some Encodable, headers: [(String, String)] = []) -> HTTPResponse {
        let body = (try? OrderedJSONEncoder().encodeBytes(value)) ?? Array("{}".utf8)
        return bytes(status, body, headers: headers)
    }

    /// Exact body bytes with K2's JSON content type.
    package static func bytes(_ status: Int, _ body: [UInt8], headers: [(String, String)] = []) -> HTTPResponse {
        var fields = HTTPHeaders([("Content-Type", jsonContentType)])
        for (name, value) in headers { fields.add(name, value) }
        return HTTPResponse(status: status, headers: fields, body: body)
    }

    /// `{"error_code":status,"error_message":message}`.
    package static func error(_ status: Int, _ message: String, headers: [(String, String)] = []) -> HTTPResponse {
        json(status, ErrorResponse(status: status, message: message), headers: headers)
    }

    /// 401 for a refused bearer token: K2's error body, and the `WWW-Authenticate` challenge
    /// Doorkeeper sends, saying why.
    package static func unauthorized(_ reason: String, realm: String = "Doorkeeper") -> HTTPResponse {
        error(401, reason, headers: [(
            "WWW-Authenticate",
            "Bearer realm=\"\(realm)\", error=\"invalid_token\", error_description=\"\(reason)\""
        )])
    }

    /// 405 with the methods the path does answer.
    package static func methodNotAllowed(_ method: String, _ path: String, allowed: [String]) -> HTTPResponse {
        error(405, "Method \(method) is not allowed on \(path)", headers: [("Allow", allowed.joined(separator: ", "))])
    }

    /// 404 for a method and path no route matches (Rails: `No route matches [GET] "/path"`).
    package static func notFound(_ method: String, _ path: String) -> HTTPResponse {
        error(404, "No route matches [\(method)] \"\(path)\"")
    }
}
