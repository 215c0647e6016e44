import Crypto
import K2MockServer
import K2Sandbox
import MicroHTTP
import OrderedJSON
import Testing

/// A made-up kind that exists only here: a voucher, issued at once and redeemed later, that
/// calls back when redeemed. Nothing in Sources/ knows it; the registry is all it takes.
struct Voucher: ResourceDefinition {
    static let kind = ResourceKind("voucher")
    static let collection = "vouchers"
    static let versions = [2]
    static let stages = [Stage(rawValue: "Issued"), Stage(rawValue: "Redeemed")]
    static let finalStages: Set<Stage> = [Stage(rawValue: "Redeemed")]
    static let ruleKeys: Set<RuleKey> = [.amount]
    static let summary = "a test-only kind"

    let amount: Money
    let code: String
    let callbackURL: String?

    init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
        let reader = BodyReader(body)
        amount = try reader.money("amount")
        callbackURL = try reader.callbackURL()
        code = context.reference(length: 8)
    }

    var facts: MatchFacts { MatchFacts(amountsCents: [amount.cents]) }

    func document(id: String, lifecycle: Lifecycle) -> JSON {
        Self.document(id: id, attributes: [
            "status": .string(lifecycle.stage?.rawValue ?? ""), "code": .string(code), "amount": .string(amount.decimalString),
            "redeemed_at": lifecycle.time(of: Stage(rawValue: "Redeemed")).map { .string($0.iso8601()) } ?? .null,
            "_links": ["callback_url": callbackURL.map(JSON.string) ?? .null, "self": ""],
        ] as JSON)
    }
}

@Suite struct AddedKindTests {
    private static let yaml = """
        version: 1
        seed: 7
        clock: { mode: manual, start: "2021-01-28T10:00:00+03:00" }
        credentials: [{ client_id: shop, client_secret: shop-secret, api_key: shop-key }]
        tokens: [{ value: shop-token, client_id: shop }]
        fixtures: [vouchers/printed.json]
        timelines:
          voucher:
            - { after: 0s, stage: Issued }
            - { after: 1h, stage: Redeemed }
          rules:
            - match: { resource: voucher, amount: 500 }
              timeline: [{ after: 0s, stage: Issued }]
        """
    private static let printed =
        #"{"data":{"id":"5f1d0c3e-0000-4000-8000-000000000001","type":"voucher","attributes":{"status":"Issued","code":"PRINTED1"}}}"#

    private func server(_ transport: FakeTransport) throws -> K2MockServer {
        let loader = ScenarioLoader(kinds: .standard.adding(Voucher.self)) { path in
            switch path {
            case "s.yaml": Array(Self.yaml.utf8)
            case "vouchers/printed.json": Array(Self.printed.utf8)
            default: nil
            }
        }
        return K2MockServer(sandbox: Sandbox(scenario: try loader.load(path: "s.yaml")), transport: transport)
    }

    private let auth = [("Authorization", "Bearer shop-token"), ("Content-Type", "application/json")]

    @Test func aKindAddedThroughTheRegistryIsServedAdvancedAndCalledBack() async throws {
        let transport = FakeTransport()
        let server = try server(transport)
        let created = await server.send("POST", "/api/v2/vouchers", headers: auth,
                                        body: #"{"amount":"250","_links":{"callback_url":"https://shop.test/vouchers"}}"#)
        #expect(created.status == 201)
        let location = try #require(created.headers["location"])
        #expect(location.hasPrefix("http://127.0.0.1:8080/api/v2/vouchers/"))
        let path = String(location.dropFirst("http://127.0.0.1:8080".count))

        var body = await server.send("GET", path, headers: auth).json
        #expect(body?["data"]?["type"] == "voucher")
        #expect(body?["data"]?["attributes"]?["status"] == "Issued")
        #expect(body?["data"]?["attributes"]?["_links"]?["self"] == .string(location))
        #expect(await server.send("GET", "/api/v1" + path.dropFirst("/api/v2".count), headers: auth).status == 404,
                "served only under the versions its definition names")

        let ran = await server.send("POST", "/__admin/clock/advance", body: #"{"seconds":3600}"#).json
        #expect(ran?["ran"]?.arrayValue?.map { $0["stage"] ?? $0["outcome"] ?? .null } == ["Redeemed", "delivered"])
        body = await server.send("GET", path, headers: auth).json
        #expect(body?["data"]?["attributes"]?["status"] == "Redeemed")
        #expect(body?["data"]?["attributes"]?["redeemed_at"] == "2021-01-28T11:00:00.000+03:00")

        let job = try #require(transport.sent.first)
        #expect(transport.sent.count == 1)
        #expect(job.url == "https://shop.test/vouchers")
        #expect(job.body == (await server.send("GET", path, headers: auth).body))
        let signature = job.headers.first { $0.name == "X-KopoKopo-Signature" }?.value
        let expected = HMAC<SHA256>.authenticationCode(for: job.body, using: SymmetricKey(data: Array("shop-key".utf8)))
            .map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(signature == expected)
        let journal = await server.send("GET", "/__admin/callbacks").json?.arrayValue
        #expect(journal?.first?["resource"] == "voucher")
    }

    @Test func itsFixturesRulesAndRefusalsComeFromItsDefinitionToo() async throws {
        let server = try server(FakeTransport())
        let fixture = await server.send("GET", "/api/v2/vouchers/5F1D0C3E-0000-4000-8000-000000000001", headers: auth)
        #expect(fixture.status == 200)
        #expect(fixture.json?["data"]?["attributes"]?["code"] == "PRINTED1")

        let refused = await server.send("POST", "/api/v2/vouchers", headers: auth, body: #"{"amount":"-1"}"#)
        #expect(refused.status == 400)
        #expect(refused.json?["error_message"] == "amount must be a positive amount with at most two decimals, not \"-1\"")

        let kept = await server.send("POST", "/api/v2/vouchers", headers: auth, body: #"{"amount":500}"#)
        let path = String(try #require(kept.headers["location"]).dropFirst("http://127.0.0.1:8080".count))
        _ = await server.send("POST", "/__admin/clock/advance", body: #"{"seconds":86400}"#)
        #expect(await server.send("GET", path, headers: auth).json?["data"]?["attributes"]?["status"] == "Issued",
                "the rule for amount 500 never redeems it")
    }

    @Test func scenariosAreCheckedAgainstItsStagesAndRuleKeys() {
        let loader = ScenarioLoader(kinds: .standard.adding(Voucher.self)) { _ in nil }
        do {
            _ = try loader.load(text: """
                version: 1
                timelines:
                  voucher: [{ after: 0s, stage: Pending }]
                  rules:
                    - match: { resource: voucher, till_number: "1" }
                      timeline: [{ after: 0s, stage: Issued }]
                """, path: "v.yaml")
            Issue.record("expected errors")
        } catch {
            let lines = error.issues.map(\.description)
            #expect(lines.contains("v.yaml:3:33: unknown stage 'Pending' for voucher (stages: Issued, Redeemed)"))
            #expect(lines.contains("v.yaml:5:35: match.till_number never matches a voucher (it can match on amount)"))
        }
        #expect((try? ScenarioLoader { _ in nil }.load(text: "version: 1\ntimelines: { voucher: [] }", path: "w.yaml")) == nil,
                "without the registry entry the kind does not exist")
    }
}
