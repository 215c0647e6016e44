/// A complete response: status, header fields (names sent exactly as given) and body bytes.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    /// A response; `Content-Length` is set by the server.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// What a handler does with a request: answer now on the server's thread, or hand the work to
/// a Swift task so that a slow answer never holds one of the server's few threads.
public enum HTTPHandling: Sendable {
    case respond(HTTPResponse)
    /// Answered 503 at once instead when the server is stopping (the work does not run).
    case deferred(@Sendable () async -> HTTPResponse)
    /// Deferred work for a request that has already taken effect (only its answer waits, say
    /// for a commit): when the server is stopping it is not refused but awaited on the
    /// server's thread, so no client is told 503 for a change that was kept.
    case committed(@Sendable () async -> HTTPResponse)
    /// Status and headers now, then a body written over time through the stream (sent chunked;
    /// the head's body, if any, goes first). Answered 503 instead when the server is stopping.
    case stream(HTTPResponse, HTTPStream)
}
