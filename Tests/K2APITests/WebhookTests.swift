import Crypto
import K2MockServer
import K2Sandbox
import MicroHTTP
import OrderedJSON
import Testing

private let auth = [("Authorization", "Bearer \(docsToken)"), ("Content-Type", "application/json")]

private func subscribe(_ server: K2MockServer, _ topic: String, url: String, scope: String = "company", till: String? = nil,
                       version: Int = 2) async throws -> String {
    let reference = till.map { #","scope_reference":"\#($0)""# } ?? ""
    return try await server.create("/api/v\(version)/webhook_subscriptions",
                                   #"{"event_type":"\#(topic)","url":"\#(url)","scope":"\#(scope)"\#(reference)}"#)
}

private func signature(_ body: [UInt8], _ key: String = "sandbox_api_key") -> String {
    HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(key.utf8)))
        .map { String(format2: $0) }.joined()
}

extension String {
    init(format2 byte: UInt8) {
        let hex = String(byte, radix: 16)
        self = hex.count == 1 ? "0" + hex : hex
    }
}

private let buygoods = WebhookTopic(rawValue: "buygoods_transaction_received")!
private let customerCreated = WebhookTopic(rawValue: "customer_created")!

private func event(_ at: Int, _ topic: WebhookTopic, _ resource: JSON = [:], quirks: DeliveryQuirks = DeliveryQuirks()) -> ScriptedEvent {
    ScriptedEvent(at: .seconds(Int64(at)), topic: topic, resource: resource.objectValue ?? JSONObject(), quirks: quirks)
}

@Suite struct WebhookTests {
    @Test func subscriptionsAreCreatedAndShownActive() async throws {
        let server = makeServer()
        let path = try await subscribe(server, "buygoods_transaction_received", url: "https://hooks.test/a", scope: "Till", till: "555555", version: 1)
        let data = await server.get(path)["data"]
        #expect(data?["type"] == "webhook_subscription")
        #expect(data?["attributes"]?.objectValue?.keys == ["event_type", "webhook_uri", "status", "scope", "scope_reference", "_links"])
        #expect(data?["attributes"]?["status"] == "Active")
        #expect(data?["attributes"]?["scope"] == "till")
        for (body, message) in [
            (#"{"event_type":"nothing","url":"https://h","scope":"company"}"#, "event_type 'nothing' is not one of"),
            (#"{"event_type":"customer_created","url":"ftp://h","scope":"company"}"#, "url must be an http or https URL"),
            (#"{"event_type":"buygoods_transaction_received","url":"https://h","scope":"till"}"#, "scope_reference (the till number) is required"),
            (#"{"event_type":"customer_created","url":"https://h","scope":"company","enable_daraja_payload":true}"#, "enable_daraja_payload is only"),
        ] {
            let response = await server.send("POST", "/api/v2/webhook_subscriptions", headers: auth, body: body)
            #expect(response.status == 400)
            #expect(response.json?["error_message"]?.stringValue?.hasPrefix(message) == true, "\(body)")
        }
    }

    @Test func scriptedEventsReachSubscribersAtTheirOffsetsSignedWithTheirKey() async throws {
        let transport = FakeTransport()
        let server = makeServer(transport: transport) { scenario in
            scenario.seed = 3
            scenario.events = [
                event(60, buygoods, ["amount": "250.0", "till_number": "555555"]),
                event(90, buygoods, ["till_number": "999999"]),
                event(120, customerCreated),
            ]
        }
        _ = try await subscribe(server, "buygoods_transaction_received", url: "https://hooks.test/till", scope: "till", till: "555555")
        _ = try await subscribe(server, "buygoods_transaction_received", url: "https://hooks.test/company")
        _ = try await subscribe(server, "customer_created", url: "https://hooks.test/customers")
        _ = await server.advance(59)
        #expect(transport.sent.isEmpty)
        let ran = await server.advance(1)
        #expect(ran["ran"]?.arrayValue?.first?["event"] == "buygoods_transaction_received")
        #expect(transport.sent.map(\.url) == ["https://hooks.test/till", "https://hooks.test/company"])
        _ = await server.advance(60)
        // The till-999999 event reaches only the company-wide subscription.
        #expect(transport.sent.map(\.url) == ["https://hooks.test/till", "https://hooks.test/company",
                                              "https://hooks.test/company", "https://hooks.test/customers"])
        #expect(transport.sent.map { $0.due.iso8601(fractional: false) } == [
            "2021-01-28T10:01:00+03:00", "2021-01-28T10:01:00+03:00", "2021-01-28T10:01:30+03:00", "2021-01-28T10:02:00+03:00"])
        let first = transport.sent[0]
        let envelope = try JSON.parse(first.body)
        #expect(envelope.objectValue?.keys == ["topic", "id", "created_at", "event", "_links"])
        #expect(envelope["topic"] == "buygoods_transaction_received")
        #expect(envelope["created_at"] == "2021-01-28T10:01:00+03:00")
        #expect(envelope["event"]?["type"] == "Buygoods Transaction")
        let resource = try #require(envelope["event"]?["resource"])
        #expect(resource["amount"] == "250.0")
        #expect(resource["till_number"] == "555555")
        #expect(resource["hashed_sender_phone"]?.stringValue?.count == 64)
        #expect(resource["sender_middle_name"] == .null, "PHP's reader needs the key, null or not")
        #expect(resource.objectValue?.keys.starts(with: ["id", "amount", "status", "system", "currency", "reference", "till_number"]) == true)
        #expect(envelope["_links"]?["self"]?.stringValue?.hasPrefix("http://127.0.0.1:8080/webhook_events/") == true)
        #expect(first.headers.first { $0.name == "X-KopoKopo-Signature" }?.value == signature(first.body))
        #expect(transport.sent[0].body == transport.sent[1].body, "the same event to both subscribers")
    }

    @Test func adminEventsFireNowAndAreDeliveredBeforeTheAnswer() async throws {
        let transport = FakeTransport()
        let server = makeServer(transport: transport)
        _ = try await subscribe(server, "settlement_transfer_completed", url: "https://hooks.test/settled")
        let fired = await server.send("POST", "/__admin/events", body: #"{"topic":"settlement_transfer_completed","resource":{"amount":"10.0"}}"#)
        #expect(fired.status == 200)
        #expect(fired.json?["deliveries"] == [1])
        #expect(fired.json?["ran"]?.arrayValue?.first?["outcome"] == "delivered")
        #expect(transport.sent.count == 1)
        #expect(try JSON.parse(transport.sent[0].body)["event"]?["resource"]?["amount"] == "10.0")
        #expect(await server.send("POST", "/__admin/events", body: #"{"topic":"nope"}"#).status == 400)
    }

    @Test func misbehaviourDuplicatesBadSignaturesAndDelaysThatReorder() async throws {
        let transport = FakeTransport()
        let server = makeServer(transport: transport) { scenario in
            scenario.events = [
                event(10, customerCreated, ["first_name": "Early"], quirks: DeliveryQuirks(delay: .seconds(30))),
                event(20, customerCreated, ["first_name": "Late"], quirks: DeliveryQuirks(duplicates: 2)),
                event(50, customerCreated, ["first_name": "Forged"], quirks: DeliveryQuirks(badSignature: true)),
            ]
        }
        _ = try await subscribe(server, "customer_created", url: "https://hooks.test/c")
        _ = await server.advance(60)
        let names = try transport.sent.map { try JSON.parse($0.body)["event"]?["resource"]?["first_name"]?.stringValue ?? "" }
        // The 10 s event, delayed 30 s, arrives after the 20 s one and its two duplicates.
        #expect(names == ["Late", "Late", "Late", "Early", "Forged"])
        let signatures = transport.sent.map { job in job.headers.first { $0.name == "X-KopoKopo-Signature" }?.value }
        #expect(signatures[0] == signature(transport.sent[0].body))
        #expect(signatures[4] != signature(transport.sent[4].body))
        #expect(transport.sent[3].due == Timestamp(iso8601: "2021-01-28T10:00:40+03:00"))
    }

    @Test func ruleQuirksApplyToCallbacks() async throws {
        let transport = FakeTransport()
        let server = makeServer(transport: transport) { scenario in
            scenario.timelines.rules.insert(TimelineRule(
                kind: Payment.kind, amountCents: 77_700,
                timeline: [.init(after: .zero, stage: .pending), .init(after: .seconds(5), stage: .transferred)],
                quirks: DeliveryQuirks(delay: .seconds(5), duplicates: 1)), at: 0)
        }
        _ = try await server.create("/api/v1/payments", #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":777},"_links":{"callback_url":"https://cb.test/"}}"#)
        _ = await server.advance(60)
        #expect(transport.sent.count == 2)
        #expect(transport.sent.allSatisfy { $0.due == Timestamp(iso8601: "2021-01-28T10:00:10+03:00") })
    }
}

@Suite struct DarajaPayloadTests {
    @Test func subscriptionsWithDarajaPayloadGetSafaricomsFormat() async throws {
        let transport = FakeTransport()
        let server = makeServer(transport: transport)
        _ = try await server.create("/api/v2/webhook_subscriptions",
            #"{"event_type":"buygoods_transaction_received","url":"https://hooks.test/daraja","scope":"company","enable_daraja_payload":true}"#)
        _ = try await server.create("/api/v2/webhook_subscriptions",
            #"{"event_type":"buygoods_transaction_received","url":"https://hooks.test/k2","scope":"company","enable_daraja_payload":false}"#)
        _ = await server.send("POST", "/__admin/events", body: #"{"topic":"buygoods_transaction_received","resource":{"amount":"250.0","till_number":"555555"}}"#)
        let daraja = try JSON.parse(try #require(transport.sent.first { $0.url == "https://hooks.test/daraja" }).body)
        #expect(daraja.objectValue?.keys.first == "TransactionType")
        #expect(daraja["TransactionType"] == "Buygoods")
        #expect(daraja["TransAmount"] == "250.0")
        #expect(daraja["BusinessShortCode"] == "555555")
        #expect(daraja["TransTime"] == "20210128100000")
        #expect(daraja["MSISDN"] == "+254999999999")
        #expect(daraja["ThirdPartyTransID"] == "" && daraja["ThirdPartyTransId"] == "")
        let envelope = try JSON.parse(try #require(transport.sent.first { $0.url == "https://hooks.test/k2" }).body)
        #expect(envelope["topic"] == "buygoods_transaction_received")
        #expect(envelope["event"]?["resource"]?["reference"] == daraja["TransID"])
    }
}
