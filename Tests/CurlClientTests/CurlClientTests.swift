import CurlClient
import K2MockTesting
import MicroHTTP
import Locking
import Testing

/// A receiver that records what it got and answers with the status its path names (`/500`).
final class Receiver: Sendable {
    final class Log: Sendable {
        let requests = Locked<[HTTPRequest]>([])
        func withLock<T>(_ body: (inout [HTTPRequest]) -> T) -> T { requests.withLock { body(&$0) } }
    }

    let received = Log()
    let server: HTTPServer
    let port: Int

    init() throws {
        let received = self.received
        server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0)) { request in
            received.withLock { $0.append(request) }
            if request.path == "/hang" {
                return .deferred {
                    try? await Task.sleep(nanoseconds: 600_000_000)
                    return HTTPResponse(status: 200)
                }
            }
            return .respond(HTTPResponse(status: Int(request.path.dropFirst()) ?? 200))
        }
        port = try server.start()
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }
}

@Suite struct CurlClientTests {
    @Test func postsBodyAndHeadersAndReportsStatus() async throws {
        let receiver = try Receiver()
        defer { receiver.server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }
        let body = Array(#"{"a":"é"}"#.utf8)
        let ok = await client.send(OutboundRequest(url: receiver.url("/204"), headers: [("X-KopoKopo-Signature", "abc"), ("Content-Type", "application/json")], body: body, timeoutMilliseconds: 2000))
        #expect(ok.status == 204)
        #expect(ok.isSuccess)
        let failed = await client.send(OutboundRequest(url: receiver.url("/500"), headers: [], body: body, timeoutMilliseconds: 2000))
        #expect(failed.status == 500)
        #expect(!failed.isSuccess)
        let got = receiver.received.withLock { $0 }
        #expect(got.count == 2)
        #expect(got[0].method == "POST")
        #expect(got[0].body == body)
        #expect(got[0].headers["X-KopoKopo-Signature"] == "abc")
        #expect(got[0].headers["Expect"] == nil)
    }

    @Test func reportsRefusedConnectionsAndTimeouts() async throws {
        let receiver = try Receiver()
        let client = CurlClient()
        defer { client.shutdown() }
        let refused = await client.send(OutboundRequest(url: "http://127.0.0.1:1/x", headers: [], body: [], timeoutMilliseconds: 2000))
        #expect(refused.status == nil)
        #expect(refused.error?.isEmpty == false)
        let timedOut = await client.send(OutboundRequest(url: receiver.url("/hang"), headers: [], body: [], timeoutMilliseconds: 200))
        #expect(timedOut.status == nil)
        #expect(timedOut.error?.lowercased().contains("timeout") == true)
        // Stopping waits for the /hang handler, which needs a cooperative-pool thread to
        // finish: block a thread of our own, not one of the pool's.
        await offThePool { receiver.server.stop() }
    }

    @Test func sendsManyConcurrently() async throws {
        let receiver = try Receiver()
        defer { receiver.server.stop() }
        let client = CurlClient()
        defer { client.shutdown() }
        let statuses = await withTaskGroup(of: Int?.self) { group in
            for index in 0..<200 {
                group.addTask {
                    await client.send(OutboundRequest(url: receiver.url("/200"), headers: [], body: Array("\(index)".utf8), timeoutMilliseconds: 5000)).status
                }
            }
            var all: [Int?] = []
            for await status in group { all.append(status) }
            return all
        }
        #expect(statuses.count == 200)
        #expect(statuses.allSatisfy { $0 == 200 })
        #expect(receiver.received.withLock { $0.count } == 200)
    }
}
