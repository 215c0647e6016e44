import K2Sandbox
import MicroHTTP
import OrderedJSON

/// Building responses in K2's shapes.
public enum K2Responses {
    static let jsonContentType = "application/json; charset=utf-8"

    /// A compact JSON body with K2's key order.
    public static func json(_ status: Int, _ value: some Encodable, headers: [(String, String)] = []) -> HTTPResponse {
        let body = (try? OrderedJSONEncoder().encodeBytes(value)) ?? Array("{}".utf8)
        return bytes(status, body, headers: headers)
    }

    public static func bytes(_ status: Int, _ body: [UInt8], headers: [(String, String)] = []) -> HTTPResponse {
        var fields = HTTPHeaders([("Content-Type", jsonContentType)])
        for (name, value) in headers { fields.add(name, value) }
        return HTTPResponse(status: status, headers: fields, body: body)
    }

    /// `{"error_code":status,"error_message":message}`.
    public static func error(_ status: Int, _ message: String, headers: [(String, String)] = []) -> HTTPResponse {
        json(status, ErrorResponse(status: status, message: message), headers: headers)
    }

    /// Doorkeeper's `{"error","error_description"}` for the OAuth endpoints.
    public static func oauthError(_ status: Int, _ error: String, _ description: String) -> HTTPResponse {
        json(status, OAuthErrorResponse(error: error, description: description),
             headers: [("Cache-Control", "no-store"), ("Pragma", "no-cache")])
    }

    /// 401 for a refused bearer token: K2's error body, and the `WWW-Authenticate` challenge
    /// Doorkeeper sends, saying why.
    public static func unauthorized(_ reason: String) -> HTTPResponse {
        error(401, reason, headers: [(
            "WWW-Authenticate",
            "Bearer realm=\"Doorkeeper\", error=\"invalid_token\", error_description=\"\(reason)\""
        )])
    }

    /// 405 with the methods the path does answer.
    public static func methodNotAllowed(_ method: String, _ path: String, allowed: [String]) -> HTTPResponse {
        error(405, "Method \(method) is not allowed on \(path)", headers: [("Allow", allowed.joined(separator: ", "))])
    }

    public static func notFound(_ path: String) -> HTTPResponse {
        error(404, "No route matches \(path)")
    }
}
