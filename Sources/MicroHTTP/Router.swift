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

    @usableFromInline var table = RouteTable()
    @usableFromInline var handlers: [Handler] = []
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
    /// Inlinable, so that the server's router is specialised for its handler: unspecialised,
    /// each match looked up `Match`'s metadata and its payload's tuple type in the runtime's
    /// caches (a hash lookup each, on every request).
    @inlinable
    public func match(method: String, path: String) -> Match {
        switch table.match(method: method, path: path) {
        case .found(let index, let parameters): .found(handlers[index], parameters)
        case .methodNotAllowed(let allowed): .methodNotAllowed(allowed: allowed)
        case .notFound: .notFound
        }
    }
}

/// The non-generic part of `Router`, so matching is compiled once, for bytes. Every literal
/// segment's bytes sit in one array and every route's segments in another, as plain numbers:
/// trying a path against twenty routes reads two buffers and touches no reference count (the
/// table is shared by the server's threads, so each retain would pass a cache line between them).
@usableFromInline
struct RouteTable: Sendable {
    @usableFromInline
    enum Match {
        case found(Int, RouteParameters)
        case methodNotAllowed([String])
        case notFound
    }

    /// Where a literal segment's bytes are in `literals`; `count` -1 for a captured `:name`.
    private struct Segment: Sendable {
        let start: Int32
        let count: Int32
    }

    /// A route's segments (a range of `segments`), and where its method, names and handler are.
    private struct Route: Sendable {
        let first: Int32
        let segmentCount: Int32
        /// Index into `methods` and `names` (one per route, in the order added).
        let route: Int32
        let index: Int
    }

    private var literals: [UInt8] = []
    private var segments: [Segment] = []
    private var methods: [String] = []
    private var names: [[String]] = []
    /// Routes by their number of segments (the index).
    private var routes: [[Route]] = []

    mutating func add(method: String, pattern: String, index: Int) {
        let first = Int32(segments.count)
        var captured: [String] = []
        for part in pattern.split(separator: "/") {
            if part.hasPrefix(":") {
                segments.append(Segment(start: 0, count: -1))
                captured.append(String(part.dropFirst()))
            } else {
                segments.append(Segment(start: Int32(literals.count), count: Int32(part.utf8.count)))
                literals.append(contentsOf: part.utf8)
            }
        }
        let count = segments.count - Int(first)
        while routes.count <= count { routes.append([]) }
        routes[count].append(Route(first: first, segmentCount: Int32(count), route: Int32(methods.count), index: index))
        methods.append(method)
        names.append(captured)
    }

    @usableFromInline
    func match(method: String, path: String) -> Match {
        path.withUTF8Bytes { match(method: method, $0) }
    }

    private func match(method: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Match {
        let most = routes.count - 1
        guard most >= 0 else { return .notFound }
        // Segment boundaries, as ranges into `bytes`, on the stack, in one pass; a path with
        // more segments than any route has matches none.
        return withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: most + 1) { ranges -> Match in
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
            return routes[count].withUnsafeBufferPointer { candidates in
                literals.withUnsafeBufferPointer { literals in
                    segments.withUnsafeBufferPointer { segments in
                        match(method: method, bytes, UnsafeBufferPointer(rebasing: ranges[..<count]),
                              candidates, literals, segments)
                    }
                }
            }
        }
    }

    private func match(
        method: String, _ bytes: UnsafeBufferPointer<UInt8>, _ ranges: UnsafeBufferPointer<Range<Int>>,
        _ candidates: UnsafeBufferPointer<Route>, _ literals: UnsafeBufferPointer<UInt8>,
        _ segments: UnsafeBufferPointer<Segment>
    ) -> Match {
        var allowed: [String] = []
        for route in candidates {
            var matches = true
            for offset in 0..<Int(route.segmentCount) {
                let segment = segments[Int(route.first) + offset]
                let range = ranges[offset]
                guard segment.count >= 0 else { continue }
                if Int(segment.count) != range.count
                    || memcmp(literals.baseAddress! + Int(segment.start), bytes.baseAddress! + range.lowerBound, range.count) != 0 {
                    matches = false
                    break
                }
            }
            guard matches else { continue }
            let routeMethod = methods[Int(route.route)]
            if routeMethod == method || (method == "HEAD" && routeMethod == "GET") {
                var parameters = RouteParameters()
                var captured = names[Int(route.route)].makeIterator()
                for offset in 0..<Int(route.segmentCount) where segments[Int(route.first) + offset].count < 0 {
                    parameters.values.append((captured.next() ?? "",
                                              String(decoding: UnsafeBufferPointer(rebasing: bytes[ranges[offset]]), as: UTF8.self)))
                }
                return .found(route.index, parameters)
            }
            if !allowed.contains(routeMethod) { allowed.append(routeMethod) }
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
