@testable import K2Sandbox
import OrderedJSON
import Testing

@Suite struct EventLogTests {
    @Test func findsAnEventByIdAndByItsResourceInItsCollection() throws {
        let topic = try #require(WebhookTopic(rawValue: "customer_created"))
        var log = EventLog()
        let resource = topic.resource(id: "R-1", reference: "REF", at: Timestamp(seconds: 0), overrides: JSONObject())
        log.append(EventLog.Entry(id: "E-1", topic: topic, at: Timestamp(seconds: 0), resource: resource))
        #expect(log.event("e-1")?.resourceID == "R-1")
        #expect(log.event(carrying: "r-1", in: topic.resourceCollection)?.id == "E-1")
        #expect(log.event(carrying: "R-1", in: "financial_transaction") == nil, "collections do not mix")
        let envelope = try #require(log.event("E-1")?.envelope(origin: "http://h"))
        #expect(envelope["_links"] == ["self": "http://h/webhook_events/E-1", "resource": "http://h/mobile_money_user/R-1"])
        #expect(envelope["event"]?["type"] == "Customer Created")
    }
}
