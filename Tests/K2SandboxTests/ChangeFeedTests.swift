@testable import K2Sandbox
import Locking
import OrderedJSON
import Testing

@Suite struct ChangeFeedTests {
    private func sandbox() -> Sandbox {
        var scenario = DefaultScenario.load()
        scenario.clock = .init(mode: .manual, start: Timestamp(iso8601: "2021-01-28T10:00:00+03:00"))
        return Sandbox(scenario: scenario)
    }

    private let payment = #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":1},"_links":{"callback_url":"https://cb.test"}}"#

    @Test func listenersHearEveryChangeInTheOrderItHappened() async throws {
        let sandbox = sandbox()
        let heard = Locked<[SandboxChange]>([])
        let subscription = sandbox.changes.subscribe { change in heard.withLock { $0.append(change) } }
        let id = try sandbox.create(Payment.kind, body: try JSON.parse(Array(payment.utf8)).objectValue!,
                                    clientID: "sandbox_client_id", origin: "http://127.0.0.1:8080", version: 1)
        sandbox.recordRequest(method: "POST", path: "/api/v1/payments", status: 201)
        _ = await sandbox.advance(by: .seconds(5)) { _ in DeliveryResult(status: 503, error: nil, latencyMilliseconds: 1) }
        let start = try #require(Timestamp(iso8601: "2021-01-28T10:00:00+03:00"))
        #expect(heard.withLock { $0 } == [
            .resource(kind: Payment.kind, id: id, stage: Stage(rawValue: "Pending"), at: start),
            .request(method: "POST", path: "/api/v1/payments", status: 201, at: start),
            .resource(kind: Payment.kind, id: id, stage: Stage(rawValue: "Processed"), at: start + .seconds(2)),
            .resource(kind: Payment.kind, id: id, stage: Stage(rawValue: "Transferred"), at: start + .seconds(5)),
            .delivery(id: 1, outcome: .pending, attempts: 0),
            .delivery(id: 1, outcome: .pending, attempts: 1),
            .clock(now: start + .seconds(5)),
        ])
        sandbox.reset()
        #expect(heard.withLock { $0.last } == .reset)

        sandbox.changes.unsubscribe(subscription)
        #expect(!sandbox.changes.hasSubscribers)
        let count = heard.withLock { $0.count }
        sandbox.recordRequest(method: "GET", path: "/x", status: 404)
        _ = try sandbox.create(Payment.kind, body: try JSON.parse(Array(payment.utf8)).objectValue!,
                               clientID: "sandbox_client_id", origin: "http://127.0.0.1:8080", version: 1)
        #expect(heard.withLock { $0.count } == count, "nothing is heard once unsubscribed")
    }

    @Test func firedEventsAndTheirDeliveriesAreTold() async throws {
        let sandbox = sandbox()
        let heard = Locked<[SandboxChange]>([])
        _ = sandbox.changes.subscribe { change in heard.withLock { $0.append(change) } }
        let fired = sandbox.fire(ScriptedEvent(topic: WebhookTopic(rawValue: "customer_created")!))
        #expect(heard.withLock { $0 } == [.event(topic: fired.topic, id: fired.id, at: fired.at)],
                "no subscription, so no delivery")
    }
}
