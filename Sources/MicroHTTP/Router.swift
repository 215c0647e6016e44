/// Matches a method and path to a handler. Patterns are `/`-separated segments: literals,
/// `:name` (one segment, captured). A path that matches some pattern under another method
/// is reported as such, so the caller can answer 405 with `Allow`.
public struct Router<Handler: Sendable>: Sendable {
    public enum Match {
        case found(Handler, RouteParameters)
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private struct Route: Sendable {
        let method: String
        let segments: [Segment]
        let handler: Handler
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        let segments = pattern.split(separator: "/").map { part -> Segment in
            part.hasPrefix(":") ? .parameter(String(part.dropFirst())) : .literal(String(part))
        }
        routes.append(Route(method: method, segments: segments, handler: handler))
    }

    /// `HEAD` matches `GET` routes. `path` should already be normalised (see `normalizedPath`).
    public func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/")
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.bind(route.segments, to: parts) else { continue }
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return .found(route.handler, parameters)
            }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private static func bind(_ segments: [Segment], to parts: [Substring]) -> RouteParameters? {
        guard segments.count == parts.count else { return nil }
        var parameters = RouteParameters()
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal): if literal != part { return nil }
            case .parameter(let name): parameters.values.append((name, String(part)))
            }
        }
        return parameters
    }
}

/// Values captured by `:name` segments.
public struct RouteParameters: Sendable {
    public var values: [(name: String, value: String)] = []

    public init() {}

    public subscript(_ name: String) -> String? {
        values.first { $0.name == name }?.value
    }
}

/// The path with runs of `/` collapsed and any trailing `/` dropped (`//api/v2/x/` → `/api/v2/x`):
/// SDKs that join a base URL ending in `/` with a path starting with `/` send such paths.
public func normalizedPath(_ path: String) -> String {
    let parts = path.split(separator: "/")
    return parts.isEmpty ? "/" : "/" + parts.joined(separator: "/")
}

/// What routes map to: a request and its captured parameters in, a response (or deferred work) out.
public typealias RouteHandler = @Sendable (HTTPRequest, RouteParameters) -> HTTPHandling
