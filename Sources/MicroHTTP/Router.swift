#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Matches a method and path to a handler. Patterns are `/`-separated segments: literals,
/// `:name` (one segment, captured). A path that matches some pattern under another method
/// is reported as such, so the caller can answer 405 with `Allow`. Matching works on the
/// path's bytes and allocates only for captured values: it runs on every request.
public struct Router<Handler: Sendable>: Sendable {
    /// What a method and path lead to.
    public enum Match {
        case found(Handler, RouteParameters)
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private var table = RouteTable()
    private var handlers: [Handler] = []
    /// Every route as added: method and pattern (`/api/v1/payments/:id`).
    public private(set) var patterns: [(method: String, pattern: String)] = []

    /// A router with no routes.
    public init() {}

    /// Adds a route; earlier routes are tried first.
    public mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        table.add(method: method, pattern: pattern, index: handlers.count)
        handlers.append(handler)
        patterns.append((method, pattern))
    }

    /// `HEAD` matches `GET` routes. `path` should already be normalised (see `normalizedPath`).
    public func match(method: String, path: String) -> Match {
        switch table.match(method: method, path: path) {
        case .found(let index, let parameters): .found(handlers[index], parameters)
        case .methodNotAllowed(let allowed): .methodNotAllowed(allowed: allowed)
        case .notFound: .notFound
        }
    }
}

/// Byte equality, lengths first: most literals a path is tried against differ in length.
private func equal(_ literal: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard literal.count == bytes.count else { return false }
    return literal.withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
}

/// The non-generic part of `Router`, so matching is compiled once, for bytes.
struct RouteTable: Sendable {
    enum Match {
        case found(Int, RouteParameters)
        case methodNotAllowed([String])
        case notFound
    }

    private struct Route: Sendable {
        let method: String
        /// A literal's bytes, or nil for a captured `:name` (named in `names`).
        let segments: [[UInt8]?]
        let names: [String]
        let index: Int
    }

    /// Routes by their number of segments (the index).
    private var routes: [[Route]] = []

    mutating func add(method: String, pattern: String, index: Int) {
        var segments: [[UInt8]?] = []
        var names: [String] = []
        for part in pattern.split(separator: "/") {
            if part.hasPrefix(":") {
                segments.append(nil)
                names.append(String(part.dropFirst()))
            } else {
                segments.append(Array(part.utf8))
            }
        }
        while routes.count <= segments.count { routes.append([]) }
        routes[segments.count].append(Route(method: method, segments: segments, names: names, index: index))
    }

    func match(method: String, path: String) -> Match {
        var path = path
        let most = routes.count - 1
        guard most >= 0 else { return .notFound }
        return path.withUTF8 { bytes in
            // Segment boundaries, as ranges into `bytes`, on the stack, in one pass; a path with
            // more segments than any route has matches none.
            withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: most + 1) { ranges in
                var count = 0
                var start = 0
                for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: "/") {
                    if i > start {
                        guard count < most else { return .notFound }
                        ranges.initializeElement(at: count, to: start..<i)
                        count += 1
                    }
                    start = i + 1
                }
                guard !routes[count].isEmpty else { return .notFound }
                return match(method: method, bytes, UnsafeMutableBufferPointer(rebasing: ranges[..<count]), routes[count])
            }
        }
    }

    private func match(
        method: String, _ bytes: UnsafeBufferPointer<UInt8>, _ ranges: UnsafeMutableBufferPointer<Range<Int>>,
        _ candidates: [Route]
    ) -> Match {
        var allowed: [String] = []
        for route in candidates {
            var matches = true
            for (segment, range) in zip(route.segments, ranges) {
                if let literal = segment, !equal(literal, UnsafeBufferPointer(rebasing: bytes[range])) {
                    matches = false
                    break
                }
            }
            guard matches else { continue }
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                var parameters = RouteParameters()
                var names = route.names.makeIterator()
                for (segment, range) in zip(route.segments, ranges) where segment == nil {
                    parameters.values.append((names.next() ?? "", String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)))
                }
                return .found(route.index, parameters)
            }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed)
    }
}

/// Values captured by `:name` segments.
public struct RouteParameters: Sendable {
    public var values: [(name: String, value: String)] = []

    /// No parameters yet.
    public init() {}

    public subscript(_ name: String) -> String? {
        values.first { $0.name == name }?.value
    }
}

/// The path with runs of `/` collapsed and any trailing `/` dropped (`//api/v2/x/` → `/api/v2/x`):
/// SDKs that join a base URL ending in `/` with a path starting with `/` send such paths.
public func normalizedPath(_ path: String) -> String {
    var path = path
    let isNormal = path.withUTF8 { bytes -> Bool in
        guard let base = bytes.baseAddress, bytes.first == UInt8(ascii: "/") else { return false }
        if bytes.count == 1 { return true }
        if bytes.last == UInt8(ascii: "/") { return false }
        // Every request's path is checked: libc's memchr finds each "/" many bytes at a time.
        let end = base + bytes.count
        var at = base
        while let found = memchr(at, Int32(UInt8(ascii: "/")), end - at) {
            let slash = found.assumingMemoryBound(to: UInt8.self)
            if slash + 1 < end, slash[1] == UInt8(ascii: "/") { return false }
            at = UnsafePointer(slash + 1)
        }
        return true
    }
    if isNormal { return path }
    let parts = path.split(separator: "/")
    return parts.isEmpty ? "/" : "/" + parts.joined(separator: "/")
}

/// What routes map to: a request and its captured parameters in, a response (or deferred work) out.
public typealias RouteHandler = @Sendable (HTTPRequest, RouteParameters) -> HTTPHandling
