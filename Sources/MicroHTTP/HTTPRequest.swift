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
        // By index: binding each field would copy (retain) both its strings.
        for i in fields.indices where asciiCaseInsensitiveEquals(fields[i].name, name) {
            return fields[i].value
        }
        return nil
    }

    /// `body` over the bytes of the first field called `name` (nil when there is none), read
    /// in place: a lookup that only reads the value copies no string.
    @inlinable
    public func withValue<Result>(of name: String, _ body: (UnsafeBufferPointer<UInt8>?) throws -> Result) rethrows -> Result {
        try fields.withUnsafeBufferPointer { fields in
            for i in fields.indices where asciiCaseInsensitiveEquals(fields[i].name, name) {
                return try fields[i].value.withUTF8Bytes { try body($0) }
            }
            return try body(nil)
        }
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
@inlinable
package func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
    // Most names a lookup passes differ in length, which native strings know without a scan.
    guard a.utf8.count == b.utf8.count else { return false }
    return a.withUTF8Bytes { x in b.withUTF8Bytes { y in (0..<x.count).allSatisfy { sameLetter(x[$0], y[$0]) } } }
}

extension String {
    /// `body` over the string's UTF-8 bytes, read in place. `withUTF8` needs a mutable copy (a
    /// retain and a release), and every request's path and headers are read this way. The
    /// transport's own copy of K2Sandbox's, which it cannot import (this one stays internal).
    @inlinable
    func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}

/// Equal bytes, or an ASCII letter in either case.
@inlinable
func sameLetter(_ x: UInt8, _ y: UInt8) -> Bool {
    guard x != y else { return true }
    let lower = x | 0x20
    return lower == y | 0x20 && lower >= 0x61 && lower <= 0x7A
}
