#if canImport(Glibc)
import Glibc
#endif

/// A deliberately small HTTP/1.1 client over one TCP connection, for tests: it sends exactly
/// the bytes asked for (malformed ones too) and shows whether the server kept the connection.
/// Sendable so a test can hand it to `offThePool`; use it from one thread at a time.
public final class RawHTTPClient: @unchecked Sendable {
    /// A response as read off the socket.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The first header of that name, compared case-insensitively.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// Why a request could not be made or read.
    public enum Failure: Error {
        case connect(Int32)
        case closed
        case malformed(String)
    }

    private let socket: Int32
    private var buffer: [UInt8] = []
    public let port: Int

    /// Connects to `host:port` (blocking; call it off the cooperative pool).
    public init(port: Int, host: String = "127.0.0.1") throws {
        self.port = port
        // The descriptor is stored only once connected: a class whose stored properties are
        // all set runs deinit when its init throws, and a second close here could close a
        // descriptor another thread has just been given.
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw Failure.connect(code)
        }
        socket = descriptor
    }

    deinit { close(socket) }

    /// Sends a request with `Host` and `Content-Length` filled in, and reads the response.
    public func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) throws -> Response {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try send(Array(head.utf8) + body)
        return try readResponse(method: method)
    }

    /// Writes a request as given (nothing is fixed up) and reads its response.
    public func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: String) throws -> Response {
        try request(method, target, headers: headers, body: Array(body.utf8))
    }

    /// Sends raw bytes as they are.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure.closed }
            offset += sent
        }
    }

    /// Reads one response; `method` tells whether a body follows (`HEAD`).
    public func readResponse(method: String = "GET") throws -> Response {
        let headerEnd = try readUntil(Array("\r\n\r\n".utf8))
        let headText = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.malformed(headText) }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingPrefix(while: { $0 == " " }))
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        let bodyLength = method == "HEAD" ? 0 : length
        while buffer.count < bodyLength { try fill() }
        let body = Array(buffer[..<bodyLength])
        buffer.removeFirst(bodyLength)
        return Response(status: status, headers: headers, body: body)
    }

    /// Reads raw bytes (chunked framing and all) until `text` has arrived; returns and consumes
    /// everything read up to the end of it. For streamed responses such as Server-Sent Events.
    public func read(until text: String) throws -> String {
        let marker = Array(text.utf8)
        let start = try readUntil(marker)
        let end = start + marker.count
        defer { buffer.removeFirst(end) }
        return String(decoding: buffer[..<end], as: UTF8.self)
    }

    private func readUntil(_ marker: [UInt8]) throws -> Int {
        while true {
            if let range = buffer.firstRange(of: marker) { return range.lowerBound }
            try fill()
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = recv(socket, &chunk, chunk.count, 0)
        guard count > 0 else { throw Failure.closed }
        buffer.append(contentsOf: chunk[..<count])
    }
}

extension String {
    fileprivate func trimmingPrefix(while predicate: (Character) -> Bool) -> String {
        String(drop(while: predicate))
    }
}
