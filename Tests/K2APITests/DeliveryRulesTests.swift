import K2MockServer
import K2MockTestSupport
import K2MockTesting
import K2Sandbox
import MicroHTTP
import OrderedJSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

private let auth = [("Authorization", "Bearer \(docsToken)"), ("Content-Type", "application/json")]

private func payment(callback: String) -> String {
    #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":100},"_links":{"callback_url":"\#(callback)"}}"#
}


@Suite struct DeliveryRulesTests {
    @Test func aSuccessfulRedeliveryCancelsThePendingRetryAndAFailedOneChangesNothing() async throws {
        let transport = FakeTransport()
        transport.script("https://receiver.test/k2", [503, 200])
        let server = makeServer(transport: transport)
        _ = try await server.create("/api/v1/payments", payment(callback: "https://receiver.test/k2"))
        _ = await server.advance(5)
        #expect(transport.sent.count == 1)
        let redelivered = await server.send("POST", "/__admin/callbacks/1/redeliver").json
        #expect(redelivered?["outcome"] == "delivered")
        #expect(redelivered?["attempts"]?.arrayValue?.last?["redelivery"] == true)
        _ = await server.advance(3600)
        #expect(transport.sent.count == 2, "the retry scheduled before the redelivery is not sent")
        #expect(await server.send("GET", "/__admin/health").json?["deliveries"] == ["pending": 0, "delivered": 1, "failed": 0])

        // A failed redelivery leaves the policy as it was: its retries still come, all of them.
        let other = FakeTransport()
        other.script("https://receiver.test/k2", [503, 503, 503, 503, 503, 200])
        let second = makeServer(transport: other) { $0.callbacks = CallbackSettings(attempts: 3, backoff: [.seconds(10)]) }
        _ = try await second.create("/api/v1/payments", payment(callback: "https://receiver.test/k2"))
        _ = await second.advance(5)
        #expect(await second.send("POST", "/__admin/callbacks/1/redeliver").json?["outcome"] == "pending")
        _ = await second.advance(60)
        let journal = await second.send("GET", "/__admin/callbacks").json?.arrayValue?.first
        #expect(journal?["attempts"]?.arrayValue?.map { $0["redelivery"] ?? .null } == [false, true, false, false])
        #expect(journal?["outcome"] == "failed", "three scheduled attempts, as the policy says")
    }

    @Test(arguments: ["file:///etc/hostname", "gopher://127.0.0.1:9006/_SET%20pwned%201%0D%0A", "dict://127.0.0.1:11211/stats",
                      "not a url", "http://", "https:///path", "http://exa mple.test/", "http://127.0.0.1:99999/k2",
                      "http://127.0.0.1:0/k2", "http://user@/k2", "http://a@b@127.0.0.1:9000/x", "http://[::1/k2", "http://host:port/"])
    func onlyHTTPCallbackURLsAreAccepted(_ url: String) async throws {
        let server = makeServer()
        let bodies = [
            ("/api/v1/payments", payment(callback: url)),
            ("/api/v2/incoming_payments", #"{"till_number":"K1","subscriber":{"phone_number":"0712345678"},"amount":{"currency":"KES","value":1},"_links":{"callback_url":"\#(url)"}}"#),
            ("/api/v2/webhook_subscriptions", #"{"event_type":"customer_created","url":"\#(url)","scope":"company"}"#),
        ]
        for (path, body) in bodies {
            let response = await server.send("POST", path, headers: auth, body: body)
            #expect(response.status == 400, "\(path) took \(url)")
            #expect(response.json?["error_message"]?.stringValue?.contains("http or https URL") == true)
        }
    }

    @Test func aLateAttemptShowsWhenItWasSentBesideWhenItWasDue() async throws {
        final class Wall: @unchecked Sendable { var nanoseconds: UInt64 = 0 }
        let wall = Wall()
        var scenario = DefaultScenario.load()
        scenario.clock = .init(mode: .real, start: Timestamp(iso8601: "2021-01-28T10:00:00+03:00"))
        let transport = FakeTransport()
        let server = K2MockServer(sandbox: Sandbox(scenario: scenario, monotonicNanoseconds: { wall.nanoseconds }), transport: transport)
        _ = try await server.create("/api/v1/payments", payment(callback: "https://receiver.test/k2"))
        // Due at 5 s; the sender gets to it at 8 s.
        wall.nanoseconds = 8_000_000_000
        _ = await server.send("POST", "/__admin/clock/advance", body: #"{"seconds":0}"#)
        let attempt = await server.send("GET", "/__admin/callbacks").json?.arrayValue?.first?["attempts"]?.arrayValue?.first
        #expect(attempt?["due"] == "2021-01-28T10:00:05.000+03:00")
        #expect(attempt?["at"] == "2021-01-28T10:00:08.000+03:00", "sent when the sender got to it")
    }

    @Test func stoppingWithCallbacksHangingEndsWithinTheGraceAndKeepsThemPending() async throws {
        let stuck = try MisbehavingReceiver(.neverAnswer)
        defer { stuck.stop() }
        var scenario = DefaultScenario.load()
        scenario.clock = .init(mode: .manual, start: Timestamp(iso8601: "2021-01-28T10:00:00+03:00"))
        scenario.callbacks = CallbackSettings(timeout: .seconds(30))
        let server = K2MockServer(sandbox: Sandbox(scenario: scenario), configuration: .init(host: "127.0.0.1", port: 0))
        let origin = try server.start()
        let port = Int(origin.split(separator: ":").last!)!
        for _ in 0..<20 { _ = try await server.create("/api/v1/payments", payment(callback: stuck.url())) }
        // An advance that waits on the first hanging callback (30 s timeout), over a socket.
        let advance = Task {
            try await offThePool {
                try RawHTTPClient(port: port).request("POST", "/__admin/clock/advance", body: #"{"seconds":10}"#)
            }
        }
        while stuck.accepted < 1 { try await Task.sleep(nanoseconds: 5_000_000) }
        let started = monotonicSeconds()
        await offThePool { server.stop(deliveryGraceMilliseconds: 500) }
        let took = monotonicSeconds() - started
        #expect(took < 10, "stop took \(took) s, with a 500 ms grace and a 30 s timeout")
        let answer = try? await advance.value
        #expect(answer?.status == 503, "the cut-short advance says so")
        #expect(answer?.text.contains("k2mock is stopping") == true)
        #expect(server.sandbox.now() == Timestamp(iso8601: "2021-01-28T10:00:05+03:00"), "the clock stopped where the advance did")
        #expect(stuck.accepted == 1, "nothing new was sent after the stop")
        #expect(await server.runner.advance(by: .seconds(60)).stoppedShortAt != nil, "a stopped runner moves nothing")
        #expect(server.sandbox.now() == Timestamp(iso8601: "2021-01-28T10:00:05+03:00"))
        let journal = server.sandbox.deliveries()
        #expect(journal.count == 20)
        #expect(journal.allSatisfy { $0.outcome == .pending && $0.attempts.isEmpty }, "the interrupted attempt stays due")
    }
}
