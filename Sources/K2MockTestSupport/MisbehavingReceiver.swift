import K2MockTesting
import Locking

#if canImport(Glibc)
import Glibc
#endif

/// A callback receiver on loopback that misbehaves on purpose, at the TCP level, for delivery
/// tests: it never answers, answers garbage, resets, closes, or never reads. Each connection
/// gets its own thread; `stop()` closes the listening socket and every connection.
public final class MisbehavingReceiver: Sendable {
    /// What it does with each connection.
    public enum Behaviour: Sendable {
        /// Reads the request, then holds the connection open without a word.
        case neverAnswer
        /// Accepts and never reads (the sender's writes fill the buffers and stall).
        case neverRead
        /// Reads the request and writes these bytes, then closes.
        case reply([UInt8])
        /// Reads the request, writes these bytes, and holds the connection open.
        case replyThenHold([UInt8])
        /// Reads the request and closes without answering.
        case close
        /// Reads the request and resets the connection (RST).
        case reset
    }

    public let port: Int
    private let listener: Int32
    private let behaviour: Behaviour
    private let state = Locked<(connections: [Int32], accepted: Int, stopped: Bool)>(([], 0, false))

    /// Listens on 127.0.0.1 on a port of the system's choosing.
    public init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 512) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw RawHTTPClient.Failure.connect(errno)
        }
        listener = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        let receiver = self
        startThread { receiver.acceptLoop() }
    }

    /// `http://127.0.0.1:<port><path>`.
    public func url(_ path: String = "/k2") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Connections accepted so far.
    public var accepted: Int { state.withLock { $0.accepted } }

    /// Stops listening and closes every connection.
    public func stop() {
        let first = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.stopped = true
            // Under the lock: `finish` closes a connection only after taking it off the list.
            for connection in state.connections { shutdown(connection, Int32(SHUT_RDWR)) }
            return true
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            let keep = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.connections.append(connection)
                state.accepted += 1
                return true
            }
            guard keep else {
                close(connection)
                return
            }
            let receiver = self
            startThread { receiver.serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        if case .neverRead = behaviour {
            waitUntilClosed(connection, reading: false)
            return
        }
        readRequest(connection)
        switch behaviour {
        case .neverAnswer:
            waitUntilClosed(connection, reading: true)
        case .reply(let bytes):
            _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            finish(connection)
        case .replyThenHold(let bytes):
            _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            waitUntilClosed(connection, reading: true)
        case .close:
            finish(connection)
        case .reset:
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            finish(connection)
        case .neverRead:
            break
        }
    }

    /// Reads up to the end of the head and whatever body `Content-Length` announces.
    private func readRequest(_ connection: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            if let end = buffer.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingPrefix(while: { $0 == " " })) } ?? 0
                if buffer.count - end.upperBound >= length { return }
            }
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// Blocks until the peer or `stop()` closes the connection.
    private func waitUntilClosed(_ connection: Int32, reading: Bool) {
        var chunk = [UInt8](repeating: 0, count: 1)
        if reading {
            while recv(connection, &chunk, chunk.count, 0) > 0 {}
        } else {
            // Never reads: just waits, polling for the peer hanging up, until stopped.
            var pollfd = Glibc.pollfd(fd: connection, events: 0, revents: 0)
            while !state.withLock({ $0.stopped }) {
                if poll(&pollfd, 1, 50) > 0, pollfd.revents & Int16(POLLHUP | POLLERR) != 0 { break }
            }
        }
        finish(connection)
    }

    private func finish(_ connection: Int32) {
        let owned = state.withLock { state -> Bool in
            guard let index = state.connections.firstIndex(of: connection) else { return false }
            state.connections.remove(at: index)
            return true
        }
        if owned { close(connection) }
    }
}
