import CMicroHTTPD
import Locking
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server on GNU libmicrohttpd. Handlers run on the server's threads; a handler
/// that may be slow answers `.deferred` and runs as a Swift task while its connection waits
/// suspended, so the other connections keep being served. A handler that answers `.stream`
/// writes its body over time (Server-Sent Events): its connection is suspended whenever the
/// stream has nothing to send, and every open stream ends when the server stops.
public final class HTTPServer: Sendable {
    /// How the server listens and what it tolerates.
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port; `start()` reports the real one.
        public var port: Int
        /// Server threads; each runs an epoll loop over its share of the connections.
        public var threads: Int
        /// A keep-alive connection idle this long is closed.
        public var idleTimeoutSeconds: Int
        /// Larger request bodies are answered with 413 and not kept.
        public var maxBodyBytes: Int
        /// How long `stop()` waits for requests in flight before closing connections.
        public var drainTimeoutSeconds: Double
        /// Builds the body of the errors the transport answers by itself (413), so that they
        /// carry the application's error shape.
        public var errorResponse: @Sendable (_ status: Int, _ message: String) -> HTTPResponse

        /// 127.0.0.1:8080 and two threads by default; see each field for its unit.
        public init(
            host: String = "127.0.0.1", port: Int = 8080, threads: Int = 2,
            idleTimeoutSeconds: Int = 30, maxBodyBytes: Int = 1 << 20,
            drainTimeoutSeconds: Double = 5,
            errorResponse: @escaping @Sendable (Int, String) -> HTTPResponse = { status, message in
                HTTPResponse(status: status, body: Array(message.utf8))
            }
        ) {
            self.host = host
            self.port = port
            self.threads = threads
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.maxBodyBytes = maxBodyBytes
            self.drainTimeoutSeconds = drainTimeoutSeconds
            self.errorResponse = errorResponse
        }
    }

    /// Why the server could not start listening.
    public enum StartError: Error, CustomStringConvertible {
        case badHost(String)
        case cannotListen(host: String, port: Int, reason: String)

        public var description: String {
            switch self {
            case .badHost(let host): "'\(host)' is not an IPv4 or IPv6 address"
            case .cannotListen(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
            }
        }
    }

    public let configuration: Configuration
    private let context: ServerContext
    private let daemon = Locked<DaemonHandle?>(nil)

    /// A server that will answer every request through `handler` once started.
    public init(
        configuration: Configuration,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPHandling
    ) {
        self.configuration = configuration
        self.context = ServerContext(
            handler: handler, errorResponse: configuration.errorResponse,
            maxBodyBytes: configuration.maxBodyBytes)
    }

    /// Starts listening and returns the bound port.
    @discardableResult
    public func start() throws -> Int {
        let host = configuration.host == "localhost" ? "127.0.0.1" : configuration.host
        guard isIPLiteral(host) else { throw StartError.badHost(configuration.host) }
        guard (0...65535).contains(configuration.port) else {
            throw StartError.cannotListen(host: host, port: configuration.port, reason: "not a port number")
        }
        let contextPointer = Unmanaged.passRetained(context).toOpaque()
        let started = k2_start_daemon(
            host, UInt16(configuration.port), UInt32(max(1, configuration.threads)),
            UInt32(max(0, configuration.idleTimeoutSeconds)),
            // MHD's default per-connection arena for headers and body chunks. MHD zeroes it
            // between keep-alive requests, so a larger one costs time on every request.
            32 * 1024,
            accessHandler, contextPointer, requestCompleted, contextPointer, connectionNotified, nil)
        guard let started else {
            let code = errno
            Unmanaged<ServerContext>.fromOpaque(contextPointer).release()
            let reason = switch code {
            case EADDRINUSE: "the address is already in use (another k2mock, or another server, listens there)"
            case EACCES: "not allowed (ports below 1024 need privileges)"
            case EADDRNOTAVAIL: "no interface of this machine has that address"
            default: String(cString: strerror(code))
            }
            throw StartError.cannotListen(host: host, port: configuration.port, reason: reason)
        }
        let port = Int(k2_daemon_port(started))
        daemon.withLock { $0 = DaemonHandle(raw: started, context: contextPointer) }
        return port
    }

    /// Stops accepting, lets requests in flight (deferred ones included) finish up to the
    /// drain timeout, then closes every connection. Requests that arrive on open connections
    /// meanwhile are answered with `Connection: close` (those that would be deferred 503 at
    /// once, committed ones once their work is done); deferred work still running at the
    /// timeout is answered 503. Safe to call more than once.
    public func stop() {
        guard let handle = daemon.withLock({ current -> DaemonHandle? in
            defer { current = nil }
            return current
        }) else { return }
        context.deferrals.beginStopping()
        // New connections are refused from here on; those open finish what they are doing.
        let retired = k2_retire_listen_socket(handle.raw)
        waitForRequestsInFlight(upTo: configuration.drainTimeoutSeconds)
        // Deferred work still running past the drain timeout is answered 503 here and its
        // result dropped when it comes; give those answers a moment to go out.
        let abandoned = context.deferrals.abandonAll(
            with: configuration.errorResponse(503, "The server stopped before this request was answered"))
        if abandoned > 0 { waitForRequestsInFlight(upTo: 1) }
        MHD_stop_daemon(handle.raw)
        if retired >= 0 { close(retired) }
        Unmanaged<ServerContext>.fromOpaque(handle.context).release()
    }

    deinit { stop() }

    private func waitForRequestsInFlight(upTo seconds: Double) {
        waitUntil(upTo: seconds) { context.requestsInFlight.load(ordering: .acquiring) == 0 }
    }

    private func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}

/// The running daemon and the retained context its callbacks see.
private struct DaemonHandle: @unchecked Sendable {
    let raw: OpaquePointer
    let context: UnsafeMutableRawPointer
}
