import Locking
import MicroHTTP

/// An HTTP receiver for callbacks and webhook events on `127.0.0.1`, on a free port: it keeps
/// every request and answers each with the next scripted status (200 once the script runs out).
public final class CallbackReceiver: Sendable {
    private let state: Locked<(requests: [HTTPRequest], statuses: [Int])>
    private let server: HTTPServer
    /// The port it listens on.
    public let port: Int

    /// Starts listening. `statuses` answer the first requests in order (a 500 makes k2mock retry).
    public init(statuses: [Int] = []) throws {
        let state = Locked<(requests: [HTTPRequest], statuses: [Int])>(([], statuses))
        self.state = state
        server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0)) { request in
            let status = state.withLock { state -> Int in
                state.requests.append(request)
                return state.statuses.isEmpty ? 200 : state.statuses.removeFirst()
            }
            return .respond(HTTPResponse(status: status))
        }
        port = try server.start()
    }

    /// Forgets the requests received and answers the next ones with `statuses`, then 200.
    public func reset(statuses: [Int] = []) {
        state.withLock { $0 = ([], statuses) }
    }

    /// Every request received, oldest first.
    public var requests: [HTTPRequest] { state.withLock { $0.requests } }

    /// `http://127.0.0.1:PORT` + `path`, for a `callback_url` or a subscription's `url`.
    public func url(_ path: String = "/k2/result") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Stops listening (blocks until requests in flight are answered: call it off the pool).
    public func stop() { server.stop() }
}
