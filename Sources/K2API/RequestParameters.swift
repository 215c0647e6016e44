import K2HTTP
import MicroHTTP
import OrderedJSON

/// Reading request bodies the way K2's Rails stack does: JSON or form-encoded, by content type.
enum RequestBody {
    enum Failure: Error {
        case malformedJSON(JSONParseError)
        case unsupportedContentType(String)
        case notAnObject(String)
        case badEncoding

        var response: HTTPResponse {
            switch self {
            case .malformedJSON(let error):
                K2Responses.error(400, "Malformed JSON in request body: \(error)")
            case .unsupportedContentType(let type):
                K2Responses.error(415, "Content-Type '\(type)' is not supported; send application/json")
            case .notAnObject(let kind):
                K2Responses.error(400, "Request body must be a JSON object, not \(kind)")
            case .badEncoding:
                K2Responses.error(400, "Request body is not valid UTF-8")
            }
        }
    }

    /// The body as a JSON object. An empty body, `null` (Ruby sends it on GET and cancel) and
    /// `{}` all read as an empty object. No content type is taken to mean JSON.
    static func jsonObject(_ request: HTTPRequest) throws(Failure) -> JSONObject {
        if let type = mediaType(request), type != "application/json", !type.hasSuffix("+json") {
            if request.body.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) { return JSONObject() }
            throw .unsupportedContentType(type)
        }
        if request.body.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) { return JSONObject() }
        let json: JSON
        do { json = try JSON.parse(request.body) } catch { throw .malformedJSON(error) }
        switch json {
        case .object(let object): return object
        case .null: return JSONObject()
        default: throw .notAnObject(json.kindName)
        }
    }

    /// Flat string parameters from the query string and a form or JSON body (body wins), as
    /// Rails merges them: what `/oauth/*` reads.
    static func parameters(_ request: HTTPRequest) throws(Failure) -> [String: String] {
        var result: [String: String] = [:]
        for item in request.query { result[item.name] = item.value }
        let type = mediaType(request)
        if type == "application/x-www-form-urlencoded" {
            guard let text = String(validating: request.body, as: UTF8.self) else { throw .badEncoding }
            for (name, value) in formDecode(text) { result[name] = value }
        } else if !request.body.isEmpty {
            for member in try jsonObject(request) {
                switch member.value {
                case .string(let value): result[member.key] = value
                case .number(let lexeme): result[member.key] = lexeme
                case .bool(let value): result[member.key] = value ? "true" : "false"
                default: continue
                }
            }
        }
        return result
    }

    /// The content type without parameters, lowercased; nil when absent.
    static func mediaType(_ request: HTTPRequest) -> String? {
        guard let header = request.headers["Content-Type"] else { return nil }
        let type = header.split(separator: ";").first.map { $0.trimmingBlanks() } ?? ""
        return type.isEmpty ? nil : type.lowercased()
    }

    /// `application/x-www-form-urlencoded` pairs, `+` as space, percent escapes decoded.
    static func formDecode(_ text: String) -> [(String, String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.map({ percentDecode(String($0)) }), !name.isEmpty else { return nil }
            return (name, parts.count > 1 ? percentDecode(String(parts[1])) : "")
        }
    }

    static func percentDecode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%") {
                let high = iterator.next(), low = iterator.next()
                if let high, let low, let h = hexValue(high), let l = hexValue(low) {
                    bytes.append(h << 4 | l)
                } else {
                    bytes.append(byte)
                    if let high { bytes.append(high) }
                    if let low { bytes.append(low) }
                }
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
