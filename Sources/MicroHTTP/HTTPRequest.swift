/// One HTTP request as the server received it, copied out of libmicrohttpd's buffers.
public struct HTTPRequest: Sendable {
    /// The method as sent, e.g. `GET`.
    public var method: String
    /// The path, percent-decoded, without the query string.
    public var path: String
    /// Query arguments in the order sent; a key without `=` has an empty value.
    public var query: [(name: String, value: String)]
    /// Header fields in the order sent.
    public var headers: HTTPHeaders
    /// The body bytes (empty when none was sent).
    public var body: [UInt8]

    /// A request as the server hands it to a handler (path without its query).
    public init(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// Header fields with case-insensitive lookup, in the order given.
public struct HTTPHeaders: Sendable, Sequence {
    public private(set) var fields: [(name: String, value: String)]

    /// Fields in the order given.
    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    /// The first field called `name`, compared case-insensitively.
    public subscript(_ name: String) -> String? {
        for field in fields where asciiCaseInsensitiveEquals(field.name, name) {
            return field.value
        }
        return nil
    }

    /// Appends a field (an existing one of that name is kept).
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }
}

/// ASCII text (header names, a scheme) compared byte by byte, without lowercased copies.
package func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
    // Most names a lookup passes differ in length, which native strings know without a scan.
    guard a.utf8.count == b.utf8.count else { return false }
    var a = a, b = b
    return a.withUTF8 { x in
        b.withUTF8 { y in
            guard x.count == y.count else { return false }
            for i in 0..<x.count where x[i] != y[i] {
                let lower = x[i] | 0x20
                guard lower == y[i] | 0x20, lower >= 0x61, lower <= 0x7A else { return false }
            }
            return true
        }
    }
}
