import K2MockTesting
import Locking
import MicroHTTP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A server whose every request opens a stream, kept for the test to write to.
private final class StreamServer: Sendable {
    let server: HTTPServer
    let port: Int
    private let opened = Locked<[HTTPStream]>([])

    init(drainTimeout: Double = 5) throws {
        let opened = self.opened
        server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0, drainTimeoutSeconds: drainTimeout)) { _ in
            let stream = HTTPStream()
            opened.withLock { $0.append(stream) }
            return .stream(HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/event-stream")]),
                                        body: Array(": hello\n\n".utf8)), stream)
        }
        port = try server.start()
    }

    /// The stream the `index`th request opened, once it has.
    func stream(_ index: Int = 0) async -> HTTPStream {
        while true {
            if let stream = opened.withLock({ $0.count > index ? $0[index] : nil }) { return stream }
            await Task.yield()
        }
    }
}

@Suite(.serialized) struct HTTPStreamTests {
    @Test func bytesGoOutAsTheyAreSentAndCloseEndsTheChunkedBody() async throws {
        let streams = try StreamServer()
        let client = try RawHTTPClient(port: streams.port)
        try client.send(Array("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        let head = try await offThePool { try client.read(until: ": hello\n\n") }
        #expect(head.hasPrefix("HTTP/1.1 200"))
        #expect(head.lowercased().contains("transfer-encoding: chunked"))
        #expect(head.contains("Content-Type: text/event-stream"))
        let stream = await streams.stream()
        // The connection now waits suspended; each send wakes it.
        for index in 1...3 {
            #expect(stream.send(Array("event: tick\ndata: \(index)\n\n".utf8)))
            let got = try await offThePool { try client.read(until: "data: \(index)\n\n") }
            #expect(got.contains("event: tick"))
        }
        let closed = Locked(false)
        stream.onClose { closed.withLock { $0 = true } }
        stream.close()
        _ = try await offThePool { try client.read(until: "0\r\n\r\n") }
        #expect(closed.withLock { $0 })
        #expect(!stream.send([1]), "a closed stream takes nothing")
        await offThePool { streams.server.stop() }
    }

    @Test func aClientThatLeftIsNoticedWhenTheStreamWrites() async throws {
        let streams = try StreamServer()
        var client: RawHTTPClient? = try RawHTTPClient(port: streams.port)
        try client!.send(Array("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        _ = try await offThePool { [client] in try client!.read(until: ": hello\n\n") }
        let stream = await streams.stream()
        client = nil  // closes the socket
        let ended = Locked(false)
        stream.onClose { ended.withLock { $0 = true } }
        // The first writes may still be accepted by the kernel; a later one fails.
        var writes = 0
        let deadline = monotonicSeconds() + 30  // far beyond the few writes it takes, for loaded machines
        while !ended.withLock({ $0 }), monotonicSeconds() < deadline {
            stream.send(Array(": keep-alive\n\n".utf8))
            writes += 1
            try await Task.sleep(nanoseconds: 1_000_000)
        }
        #expect(ended.withLock { $0 }, "the stream ended after \(writes) writes to a closed connection")
        #expect(!stream.isOpen)
        await offThePool { streams.server.stop() }
    }

    @Test func stoppingEndsOpenStreamsInsteadOfWaitingForThem() async throws {
        // A drain timeout far longer than the test: stop must not wait on open streams.
        let streams = try StreamServer(drainTimeout: 60)
        let clients = try (0..<3).map { _ in try RawHTTPClient(port: streams.port) }
        for client in clients { try client.send(Array("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n".utf8)) }
        for (index, client) in clients.enumerated() {
            _ = try await offThePool { try client.read(until: ": hello\n\n") }
            _ = await streams.stream(index)
        }
        let started = monotonicSeconds()
        await offThePool { streams.server.stop() }
        #expect(monotonicSeconds() - started < 30, "stop waited on open streams")
        for client in clients {
            _ = try await offThePool { try client.read(until: "0\r\n\r\n") }
        }
        for index in 0..<3 { #expect(!(await streams.stream(index)).isOpen) }
    }

    @Test func aClientThatDoesNotReadIsDroppedPastTheBufferLimit() async throws {
        let stream = HTTPStream()
        let chunk = [UInt8](repeating: 65, count: 64 * 1024)
        var accepted = 0
        while stream.send(chunk) { accepted += chunk.count }
        #expect(accepted <= HTTPStream.maxBufferedBytes)
        #expect(!stream.isOpen, "past the limit the stream ends rather than grow")
    }
}
