import K2MockTesting
import MicroHTTP
import Locking
import Testing

/// Holds deferred handlers until the test opens it.
final class Gate: Sendable {
    private let state = Locked<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var waiting: Int { state.withLock { $0.waiters.count } }
}

/// Sends `GET /slow` on a new connection and returns once its handler waits at the gate.
func startSlowRequest(port: Int, gate: Gate) async throws -> RawHTTPClient {
    let client = try RawHTTPClient(port: port)
    try client.send(Array("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
    while gate.waiting == 0 { await Task.yield() }
    return client
}

/// Echoes what it received; `/slow` waits for the gate.
func startEchoServer(gate: Gate = Gate(), maxBody: Int = 1 << 20, drainTimeout: Double = 5) throws -> (HTTPServer, Int) {
    let configuration = HTTPServer.Configuration(
        host: "127.0.0.1", port: 0, maxBodyBytes: maxBody, drainTimeoutSeconds: drainTimeout)
    let server = HTTPServer(configuration: configuration) { request in
        let summary = "\(request.method) \(request.path) q=\(request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")) "
            + "x=\(request.headers["X-Test"] ?? "-") body=\(request.body.count)"
        if request.path == "/slow" {
            return .deferred {
                await gate.wait()
                return HTTPResponse(status: 200, body: Array(("slow " + summary).utf8))
            }
        }
        return .respond(HTTPResponse(status: 200, headers: HTTPHeaders([("X-Echo", "1")]), body: Array(summary.utf8)))
    }
    let port = try server.start()
    return (server, port)
}

@Suite(.serialized) struct HTTPServerTests {
    @Test func reportsTheRealPortAndPassesMethodPathQueryHeadersAndBody() throws {
        let (server, port) = try startEchoServer()
        defer { server.stop() }
        #expect(port > 0)
        let client = try RawHTTPClient(port: port)
        let response = try client.request("POST", "/a%20b?x=1&y=%C3%A9&flag", headers: [("X-Test", "yes")], body: "hello")
        #expect(response.status == 200)
        #expect(response.header("X-Echo") == "1")
        #expect(response.text == "POST /a b q=x=1&y=é&flag= x=yes body=5")
    }

    @Test func keepsConnectionsAlive() throws {
        let (server, port) = try startEchoServer()
        defer { server.stop() }
        let client = try RawHTTPClient(port: port)
        for index in 0..<5 {
            let response = try client.request("GET", "/n\(index)")
            #expect(response.status == 200)
            #expect(response.header("Connection")?.lowercased() != "close")
        }
    }

    /// A connection reuses its last request's path and header strings where the bytes repeat:
    /// each request must still see exactly what it sent, whatever changed, went or came back.
    @Test func eachRequestOnAConnectionSeesItsOwnPathAndHeaders() throws {
        let (server, port) = try startEchoServer()
        defer { server.stop() }
        let client = try RawHTTPClient(port: port)
        let sequence: [(path: String, test: String?, expected: String)] = [
            ("/a", "one", "x=one"), ("/a", "one", "x=one"), ("/a", "two", "x=two"), ("/b", "two", "x=two"),
            ("/b", nil, "x=-"), ("/b", "two", "x=two"), ("/a", "one", "x=one"),
        ]
        for step in sequence {
            let response = try client.request("GET", step.path, headers: step.test.map { [("X-Test", $0)] } ?? [])
            #expect(response.text == "GET \(step.path) q= \(step.expected) body=0")
        }
        // Invalid UTF-8 is repaired each time, never taken for the last request's string.
        for _ in 0..<2 {
            try client.send(Array("GET /a HTTP/1.1\r\nHost: h\r\nX-Test: ".utf8) + [0xC3, 0x28] + Array("\r\n\r\n".utf8))
            #expect(try client.readResponse().text == "GET /a q= x=\u{FFFD}( body=0")
        }
        #expect(try client.request("GET", "/a", headers: [("X-Test", "one")]).text == "GET /a q= x=one body=0")
    }

    @Test func acceptsBodiesUpToTheLimitInManyChunks() throws {
        let (server, port) = try startEchoServer()
        defer { server.stop() }
        let client = try RawHTTPClient(port: port)
        let body = [UInt8](repeating: 0x41, count: 1 << 20)
        let response = try client.request("POST", "/big", body: body)
        #expect(response.text.hasSuffix("body=\(1 << 20)"))
    }

    @Test func refusesHugeDeclaredBodiesBeforeReadingThem() throws {
        let (server, port) = try startEchoServer(maxBody: 1000)
        defer { server.stop() }
        let client = try RawHTTPClient(port: port)
        try client.send(Array("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n".utf8))
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(response.text.contains("1000"))
    }

    @Test func aClientThatAsksToContinueIsRefusedBeforeSendingTheBody() throws {
        let (server, port) = try startEchoServer(maxBody: 1000)
        defer { server.stop() }
        let client = try RawHTTPClient(port: port)
        try client.send(Array("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\nExpect: 100-continue\r\n\r\n".utf8))
        let response = try client.readResponse()
        #expect(response.status == 413, "no 100 Continue, the refusal straight away")
    }

    @Test func aClientStillSendingAnOversizedBodyReadsItsRefusal() throws {
        // 10 MB sent in full, as clients without `Expect` do, before reading: the server must
        // not reset the connection under it.
        let (server, port) = try startEchoServer(maxBody: 1000)
        defer { server.stop() }
        let client = try RawHTTPClient(port: port)
        let size = 10_000_000
        try client.send(Array("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: \(size)\r\n\r\n".utf8))
        let chunk = [UInt8](repeating: 0x41, count: 1 << 20)
        var sent = 0
        while sent < size {
            let part = min(chunk.count, size - sent)
            try client.send(Array(chunk[..<part]))
            sent += part
        }
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(response.text.contains("1000"))
        #expect(try RawHTTPClient(port: port).request("GET", "/after").status == 200)
    }

    @Test func refusesChunkedOversizedBodiesAndStaysUp() throws {
        let (server, port) = try startEchoServer(maxBody: 1000)
        defer { server.stop() }
        let client = try RawHTTPClient(port: port)
        let chunk = String(repeating: "B", count: 600)
        let request = "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n"
        try client.send(Array(request.utf8))
        #expect(try client.readResponse().status == 413)
        #expect(try RawHTTPClient(port: port).request("GET", "/after").status == 200)
    }

    // Calls that block until a deferred handler has run go through offThePool (see there).

    @Test func deferredHandlersDoNotHoldUpOtherConnections() async throws {
        let gate = Gate()
        let (server, port) = try startEchoServer(gate: gate)
        // More waiting requests than the server has threads.
        let slow = try (0..<6).map { _ in try RawHTTPClient(port: port) }
        for client in slow { try client.send(Array("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n".utf8)) }
        let fast = try RawHTTPClient(port: port)
        for _ in 0..<3 { #expect(try fast.request("GET", "/fast").status == 200) }
        gate.open()
        let responses = try await offThePool { try slow.map { try $0.readResponse() } }
        for response in responses { #expect(response.text.hasPrefix("slow GET /slow")) }
        await offThePool { server.stop() }
    }

    @Test func stopFinishesRequestsInFlight() async throws {
        let gate = Gate()
        let (server, port) = try startEchoServer(gate: gate)
        let client = try await startSlowRequest(port: port, gate: gate)
        let stopped = Task { await offThePool { server.stop() } }
        gate.open()
        await stopped.value
        #expect(try client.readResponse().status == 200)
        #expect(throws: (any Error).self) { try RawHTTPClient(port: port).request("GET", "/") }
    }

    // libmicrohttpd aborts the process if a daemon stops with a connection still suspended:
    // each of the next two would crash the test run if stop() let that happen.

    @Test func stopAnswersDeferredWorkThatOutlivesTheDrainTimeout() async throws {
        let gate = Gate()
        let (server, port) = try startEchoServer(gate: gate, drainTimeout: 0.1)
        let client = try await startSlowRequest(port: port, gate: gate)
        await offThePool { server.stop() }
        #expect(try client.readResponse().status == 503)
        // The abandoned work finishing later must not touch the stopped server.
        gate.open()
        await Task.yield()
    }

    @Test func requestsThatWouldWaitAreAnsweredAtOnceWhileStopping() async throws {
        let gate = Gate()
        let (server, port) = try startEchoServer(gate: gate)
        let first = try await startSlowRequest(port: port, gate: gate)
        let open = try RawHTTPClient(port: port)
        #expect(try open.request("GET", "/fast").status == 200)

        let slow = try RawHTTPClient(port: port)
        #expect(try slow.request("GET", "/fast").status == 200)

        let stopped = Task { await offThePool { server.stop() } }
        while (try? RawHTTPClient(port: port)) != nil { await Task.yield() }
        // Stopping: a connection that was already open gets one more answer, then is closed;
        // nothing new waits.
        let last = try open.request("GET", "/fast")
        #expect(last.status == 200)
        #expect(last.header("connection") == "close")
        #expect(throws: (any Error).self) { try open.request("GET", "/fast") }
        #expect(try slow.request("GET", "/slow").status == 503)
        gate.open()
        await stopped.value
        #expect(try first.readResponse().status == 200)
    }

    @Test func refusesHostsThatAreNotAddresses() {
        let server = HTTPServer(configuration: .init(host: "not a host", port: 0)) { _ in .respond(HTTPResponse(status: 200)) }
        #expect(throws: HTTPServer.StartError.self) { try server.start() }
    }

    @Test func aSecondServerOnAPortInUseFailsToStartSayingSo() throws {
        let first = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0)) { _ in .respond(HTTPResponse(status: 200)) }
        let port = try first.start()
        defer { first.stop() }
        let second = HTTPServer(configuration: .init(host: "127.0.0.1", port: port)) { _ in .respond(HTTPResponse(status: 500)) }
        do {
            try second.start()
            second.stop()
            Issue.record("two servers listen on port \(port)")
        } catch {
            #expect("\(error)" == "cannot listen on 127.0.0.1:\(port): the address is already in use (another k2mock, or another server, listens there)")
        }
    }

    @Test func routerMatchesParametersAndReportsOtherMethods() {
        var router = Router<Int>()
        router.add("GET", "/api/v1/payments/:id", 1)
        router.add("POST", "/api/v1/payments", 2)
        guard case .found(1, let parameters) = router.match(method: "GET", path: "/api/v1/payments/abc") else {
            Issue.record("no match"); return
        }
        #expect(parameters["id"] == "abc")
        guard case .found(1, _) = router.match(method: "HEAD", path: "/api/v1/payments/abc") else {
            Issue.record("HEAD should match GET"); return
        }
        guard case .methodNotAllowed(let allowed) = router.match(method: "PUT", path: "/api/v1/payments") else {
            Issue.record("expected 405"); return
        }
        #expect(allowed == ["POST"])
        guard case .notFound = router.match(method: "GET", path: "/api/v1/payments/a/b") else {
            Issue.record("expected 404"); return
        }
        #expect(normalizedPath("//api/v2//payment_links/") == "/api/v2/payment_links")
        #expect(normalizedPath("") == "/")
    }
}
