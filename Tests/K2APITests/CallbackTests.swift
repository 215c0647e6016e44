import Crypto
import K2MockServer
import K2Sandbox
import MicroHTTP
import OrderedJSON
import Testing

private let auth = [("Authorization", "Bearer \(docsToken)"), ("Content-Type", "application/json")]

private func payment(amount: Int = 20000, callback: String = "https://receiver.test/k2") -> String {
    #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":\#(amount)},"metadata":{"notes":"May"},"_links":{"callback_url":"\#(callback)"}}"#
}

/// What K2's SDKs compute to verify a callback.
private func expectedSignature(_ body: [UInt8], key: String = "sandbox_api_key") -> String {
    HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(key.utf8)))
        .map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

private extension K2MockServer {
    func journal() async -> [JSON] {
        await send("GET", "/__admin/callbacks").json?.arrayValue ?? []
    }
}

@Suite struct CallbackTests {
    @Test func oneSignedCallbackPerFinalStageEqualToTheStatusBody() async throws {
        let transport = FakeTransport()
        let server = makeServer(transport: transport)
        let path = try await server.create("/api/v1/payments", payment())
        _ = await server.advance(2)
        #expect(transport.sent.isEmpty, "no callback before the final stage")
        let ran = await server.advance(3)
        #expect(ran["ran"]?.arrayValue?.map { $0["stage"] ?? $0["outcome"] ?? .null } == ["Transferred", "delivered"])
        _ = await server.advance(3600)
        #expect(transport.sent.count == 1)
        let job = try #require(transport.sent.first)
        #expect(job.url == "https://receiver.test/k2")
        let statusBody = await server.send("GET", path, headers: auth).body
        #expect(job.body == statusBody)
        let headers = Dictionary(job.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(headers["Content-Type"] == "application/json")
        #expect(headers["User-Agent"] == "k2mock")
        #expect(headers["X-KopoKopo-Signature"] == expectedSignature(job.body))
        #expect(job.due == Timestamp(iso8601: "2021-01-28T10:00:05+03:00"))
        let journal = await server.journal()
        #expect(journal.count == 1)
        #expect(journal.first?["outcome"] == "delivered")
        #expect(journal.first?["resource"] == "payment")
        #expect(journal.first?["body"] == .string(String(decoding: statusBody, as: UTF8.self)))
        #expect(journal.first?["attempts"]?.arrayValue?.count == 1)
    }

    @Test func failedPaymentsAndSTKPushesCallBackToo() async throws {
        let transport = FakeTransport()
        let server = makeServer(transport: transport)
        _ = try await server.create("/api/v1/payments", payment(amount: 404))
        _ = try await server.create("/api/v2/incoming_payments", #"{"till_number":"K000000","subscriber":{"phone_number":"+254799999999"},"amount":{"currency":"KES","value":1},"_links":{"callback_url":"https://receiver.test/stk"}}"#)
        _ = try await server.create("/api/v1/payments", payment(amount: 408))
        _ = await server.advance(60)
        #expect(transport.sent.map(\.url) == ["https://receiver.test/k2", "https://receiver.test/stk"])
        let failed = try JSON.parse(transport.sent[0].body)
        #expect(failed["data"]?["attributes"]?["status"] == "Failed")
        let stk = try JSON.parse(transport.sent[1].body)
        #expect(stk["data"]?["attributes"]?["status"] == "Success")
        #expect(stk["data"]?["attributes"]?["_links"]?["self"]?.stringValue?.hasPrefix("http://127.0.0.1:8080/api/v2/incoming_payments/") == true)
    }

    @Test func aReceiverAnswering500OnceGetsTheRetryAtTheBackoff() async throws {
        let transport = FakeTransport()
        transport.script("https://receiver.test/k2", [500])
        let server = makeServer(transport: transport) { $0.callbacks = CallbackSettings(attempts: 3, backoff: [.seconds(10), .seconds(30)]) }
        _ = try await server.create("/api/v1/payments", payment())
        _ = await server.advance(5)
        #expect(transport.sent.count == 1)
        #expect(await server.journal().first?["outcome"] == "pending")
        _ = await server.advance(9)
        #expect(transport.sent.count == 1, "not before the backoff")
        let ran = await server.advance(1)
        #expect(ran["ran"]?.arrayValue?.first?["attempt"] == 2)
        #expect(transport.sent.map(\.due) == [Timestamp(iso8601: "2021-01-28T10:00:05+03:00"), Timestamp(iso8601: "2021-01-28T10:00:15+03:00")])
        let entry = try #require(await server.journal().first)
        #expect(entry["outcome"] == "delivered")
        #expect(entry["attempts"]?.arrayValue?.map { $0["status"] } == [500, 200])
        #expect(entry["attempts"]?.arrayValue?.map { $0["outcome"] } == ["failed", "delivered"])
    }

    @Test func aReceiverThatIsDownGetsEveryAttemptThenTheDeliveryFails() async throws {
        let transport = FakeTransport()
        transport.script("https://receiver.test/k2", [nil, nil, nil, nil])
        let server = makeServer(transport: transport) { $0.callbacks = CallbackSettings(attempts: 4, backoff: [.seconds(10), .seconds(30)]) }
        _ = try await server.create("/api/v1/payments", payment())
        // One advance covers every retry: each is scheduled, and run, within it.
        let ran = await server.advance(3600)
        #expect(ran["ran"]?.arrayValue?.compactMap { $0["attempt"] } == [1, 2, 3, 4])
        #expect(transport.sent.map { $0.due.iso8601(fractional: false) } == [
            "2021-01-28T10:00:05+03:00", "2021-01-28T10:00:15+03:00", "2021-01-28T10:00:45+03:00", "2021-01-28T10:01:15+03:00"])
        let entry = try #require(await server.journal().first)
        #expect(entry["outcome"] == "failed")
        #expect(entry["attempts"]?.arrayValue?.allSatisfy { $0["status"] == .null && $0["error"] == "Couldn't connect to server" } == true)
        // Redelivery sends it once more, now.
        let redelivered = await server.send("POST", "/__admin/callbacks/1/redeliver")
        #expect(redelivered.status == 200)
        #expect(redelivered.json?["outcome"] == "delivered")
        #expect(redelivered.json?["attempts"]?.arrayValue?.count == 5)
        #expect(await server.send("POST", "/__admin/callbacks/99/redeliver").status == 404)
    }

    @Test func resourcesWithoutACallbackURLAreNotJournalled() async throws {
        let transport = FakeTransport()
        let server = makeServer(transport: transport)
        _ = try await server.create("/api/v1/payments", #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":1}}"#)
        _ = await server.advance(60)
        #expect(transport.sent.isEmpty)
        #expect(await server.journal().isEmpty)
    }

    @Test func resetClearsTheJournalAndTheSameRequestsGiveTheSameDeliveries() async throws {
        let transport = FakeTransport()
        let server = makeServer(transport: transport) { $0.seed = 9 }
        _ = try await server.create("/api/v1/payments", payment())
        _ = await server.advance(10)
        let first = await server.journal()
        _ = await server.send("POST", "/__admin/reset")
        #expect(await server.journal().isEmpty)
        _ = try await server.create("/api/v1/payments", payment())
        _ = await server.advance(10)
        #expect(await server.journal() == first)
        #expect(transport.sent[0].body == transport.sent[1].body)
    }
}
