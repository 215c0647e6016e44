@testable import K2Sandbox
import Locking
import OrderedJSON
import Testing

@Suite struct DeliveryJournalTests {
    private func sandboxWithDueCallback() async throws -> (Sandbox, DeliveryJob) {
        var scenario = DefaultScenario.load()
        scenario.clock = .init(mode: .manual, start: Timestamp(iso8601: "2021-01-28T10:00:00+03:00"))
        let sandbox = Sandbox(scenario: scenario)
        let body = try JSON.parse(#"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":1},"_links":{"callback_url":"https://cb.test"}}"#)
        _ = try sandbox.create(Payment.kind, body: body.objectValue!, clientID: "sandbox_client_id",
                               origin: "http://127.0.0.1:8080", version: 1)
        let sent = Locked<[DeliveryJob]>([])
        _ = await sandbox.advance(by: .seconds(5)) { job in
            sent.withLock { $0.append(job) }
            return DeliveryResult(status: nil, error: "held for the test", latencyMilliseconds: 0)
        }
        guard let job = sent.withLock({ $0.first }) else { throw TestFailure("no delivery fell due") }
        return (sandbox, job)
    }

    @Test func aResultArrivingAfterAResetIsDropped() async throws {
        let (sandbox, job) = try await sandboxWithDueCallback()
        sandbox.reset()
        sandbox.record(job, DeliveryResult(status: 200, error: nil, latencyMilliseconds: 1))
        #expect(sandbox.deliveries().isEmpty)
        #expect(sandbox.deliveryCounts() == (0, 0, 0))
    }

    @Test func signatureIsLowercaseHexHMACOfTheBody() async throws {
        let (sandbox, job) = try await sandboxWithDueCallback()
        let delivery = try #require(sandbox.deliveries().first)
        #expect(delivery.signature == kopoKopoSignature(body: job.body, apiKey: "sandbox_api_key"))
        #expect(delivery.signature.count == 64)
        #expect(delivery.signature.allSatisfy { "0123456789abcdef".contains($0) })
        // RFC 4231 test case 2, to pin the primitive itself.
        #expect(kopoKopoSignature(body: Array("what do ya want for nothing?".utf8), apiKey: "Jefe")
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}

struct TestFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
