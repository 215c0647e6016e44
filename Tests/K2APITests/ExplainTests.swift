import K2MockTesting
import K2Sandbox
import OrderedJSON
import Testing

private let json = [("Authorization", "Bearer \(docsToken)"), ("Content-Type", "application/json")]

/// A mistake real clients make, and what its explanation must name.
struct Mistake: CustomTestStringConvertible, Sendable {
    var name: String
    var method = "POST"
    var path: String
    var headers: [(String, String)] = json
    var body = ""
    var status: Int
    /// Words the summary must hold.
    var names: [String]
    var testDescription: String { name }
}

private let mistakes: [Mistake] = [
    Mistake(name: "customer in place of subscriber", path: "/api/v1/incoming_payments",
            body: #"{"payment_channel":"M-PESA STK Push","till_number":"K000000","customer":{"phone_number":"+254799999999"},"amount":{"currency":"KES","value":100}}"#,
            status: 400, names: ["`customer`", "`subscriber`"]),
    Mistake(name: "camelCase phoneNumber in the subscriber", path: "/api/v2/incoming_payments",
            body: #"{"till_number":"K000000","subscriber":{"phoneNumber":"+254799999999"},"amount":{"currency":"KES","value":100}}"#,
            status: 400, names: ["`phoneNumber`", "`phone_number`", "camelCase"]),
    Mistake(name: "camelCase recipient keys", path: "/api/v1/pay_recipients",
            body: #"{"type":"mobile_wallet","pay_recipient":{"firstName":"Jane","lastName":"Doe","phoneNumber":"+254799999999","network":"Safaricom"}}"#,
            status: 400, names: ["`phone_number`", "camelCase"]),
    Mistake(name: "a string amount", path: "/api/v1/payments",
            body: #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":"100"}"#,
            status: 400, names: ["amount is a string", #""100""#]),
    Mistake(name: "a phone number that is not Kenyan", path: "/api/v1/incoming_payments",
            body: #"{"till_number":"K000000","subscriber":{"phone_number":"12345"},"amount":{"currency":"KES","value":100}}"#,
            status: 400, names: ["Kenyan number", "+2547"]),
    Mistake(name: "POST /api/v1/payment for /payments", path: "/api/v1/payment", body: "{}", status: 404,
            names: ["/api/v1/payments"]),
    Mistake(name: "posting to /oauth/token/info", path: "/oauth/token/info", status: 404,
            names: ["GET /oauth/token/info is"]),
    Mistake(name: "no token", method: "GET", path: "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364", headers: [],
            status: 401, names: ["`Authorization", "Bearer"]),
    Mistake(name: "an empty Authorization header", method: "GET", path: "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364",
            headers: [("Authorization", "")], status: 401, names: ["is empty", "`Authorization: Bearer <token>`"]),
    Mistake(name: "an Authorization header of blanks", method: "GET", path: "/oauth/token/info",
            headers: [("Authorization", "   ")], status: 401, names: ["is empty"]),
    Mistake(name: "a Basic header", method: "GET", path: "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364",
            headers: [("Authorization", "Basic c2FuZGJveDpzZWNyZXQ=")], status: 401, names: ["`Basic …`", "`Bearer <token>`"]),
    Mistake(name: "a token this sandbox never issued", method: "GET", path: "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364",
            headers: [("Authorization", "Bearer not-a-token")], status: 401, names: ["not one this sandbox knows"]),
    Mistake(name: "a wrong client secret", path: "/oauth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: "grant_type=client_credentials&client_id=sandbox_client_id&client_secret=nope", status: 401,
            names: ["client_secret is not client sandbox_client_id's"]),
    Mistake(name: "an unknown client", path: "/oauth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: "grant_type=client_credentials&client_id=who&client_secret=nope", status: 401,
            names: ["client_id who is not among this sandbox's credentials", "sandbox_client_id"]),
    Mistake(name: "an id of another kind", method: "GET", path: "/api/v2/send_money/c6fda139-2480-4a93-95ed-f72c66b92364",
            status: 404, names: ["it is a payment", "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364"]),
    Mistake(name: "a body that is not JSON", path: "/api/v1/payments", body: "amount=100", status: 400, names: ["not JSON"]),
    Mistake(name: "camelCase in a send money destination", path: "/api/v2/send_money",
            body: #"{"currency":"KES","destinations":[{"type":"mobile_wallet","phoneNumber":"0712345678","amount":5}]}"#,
            status: 400, names: ["destinations[0] has `phoneNumber` where K2 reads `phone_number`"]),
    Mistake(name: "a subscription's url sent as callback_url", path: "/api/v2/webhook_subscriptions",
            body: #"{"event_type":"buygoods_transaction_received","callback_url":"http://127.0.0.1:9/h","scope":"company"}"#,
            status: 400, names: ["`callback_url` where K2 reads `url`"]),
    Mistake(name: "a wrong secret sent with HTTP Basic", path: "/oauth/token",
            headers: [("Content-Type", "application/x-www-form-urlencoded"),
                      ("Authorization", "Basic c2FuZGJveF9jbGllbnRfaWQ6d3Jvbmc=")],
            body: "grant_type=client_credentials", status: 401, names: ["client_secret is not client sandbox_client_id's"]),
    Mistake(name: "Bearer with no token", method: "GET", path: "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364",
            headers: [("Authorization", "Bearer")], status: 401, names: ["no token after it"]),
    Mistake(name: "a bare token without Bearer", method: "GET", path: "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364",
            headers: [("Authorization", docsToken)], status: 401, names: ["without the `Bearer ` scheme"]),
    Mistake(name: "a misspelled event type", path: "/api/v2/webhook_subscriptions",
            body: #"{"event_type":"buygoods_transaction_recieved","url":"http://127.0.0.1:9/h","scope":"company"}"#,
            status: 400, names: ["did you mean `buygoods_transaction_received`?"]),
    Mistake(name: "a misspelled recipient type", path: "/api/v1/pay_recipients",
            body: #"{"type":"mobile_walet","pay_recipient":{}}"#, status: 400, names: ["did you mean `mobile_wallet`?"]),
    Mistake(name: "an STK push by another name", path: "/api/v1/stk_push", body: "{}", status: 404,
            names: ["did you mean POST /api/v1/incoming_payments?"]),
    Mistake(name: "a scope K2 does not know", path: "/api/v2/webhook_subscriptions",
            body: #"{"event_type":"buygoods_transaction_received","url":"http://127.0.0.1:9/h","scope":"store"}"#,
            status: 400, names: ["scope was \"store\""]),
]

/// `GET /__admin/explain`: why a request got its answer, in K2's terms and the caller's, and
/// where a resource stands; K2's own bytes are unchanged.
@Suite struct ExplainTests {
    private func explanation(_ sandbox: TestSandbox, request id: Int) async throws -> JSON {
        let answer = try await sandbox.request("GET", "/__admin/explain?request=\(id)")
        #expect(answer.status == 200)
        return try JSON.parse(answer.body)
    }

    @Test(arguments: mistakes)
    func eachMistakeIsExplainedInTheCallersTerms(_ mistake: Mistake) async throws {
        try await withSandbox(seed: 3) { sandbox in
            let answer = try await sandbox.request(mistake.method, mistake.path, headers: mistake.headers, body: mistake.body)
            #expect(answer.status == mistake.status)
            let id = try #require(sandbox.requests().last?.id)
            let explained = try await explanation(sandbox, request: id)
            let summary = try #require(explained["summary"]?.stringValue)
            for name in mistake.names { #expect(summary.contains(name), "\(summary)") }
            #expect(explained["request"]?["status"] == .int(mistake.status))
            if let message = (try? JSON.parse(answer.body))?["error_message"]?.stringValue {
                #expect(explained["k2_message"]?.stringValue == message, "K2's words are kept beside the explanation")
            }
        }
    }

    /// Every refusal of every create reader, starting from an empty body, is explained starting
    /// with K2's own message and saying what the body lacks.
    @Test func everyKindsEmptyCreateNamesWhatItLacks() async throws {
        try await withSandbox(seed: 3) { sandbox in
            for definition in KindRegistry.standard.definitions {
                for version in definition.createVersions {
                    let answer = try await sandbox.request("POST", "/api/v\(version)/\(definition.collection)", headers: json, body: "{}")
                    // A kind that needs nothing (a settlement transfer to the default account) is made.
                    guard answer.status == 400 else { continue }
                    let message = try #require(JSON.parse(answer.body)["error_message"]?.stringValue)
                    let summary = try #require(try await explanation(sandbox, request: sandbox.requests().last?.id ?? 0)["summary"]?.stringValue)
                    #expect(summary.hasPrefix(message), "\(definition.kind): \(summary)")
                    #expect(summary.contains("has no `") || summary.count > message.count + 10, "\(definition.kind): \(summary)")
                }
            }
        }
    }

    @Test func anExpiredTokenIsExplainedWithItsTimesOnTheSandboxClock() async throws {
        try await withSandbox(seed: 3) { sandbox in
            let token = try sandbox.accessToken()
            _ = try await sandbox.advance(seconds: 3601)
            let answer = try await sandbox.request("GET", "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364",
                                                   headers: [("Authorization", "Bearer \(token)")])
            #expect(answer.status == 401 && answer.text == #"{"error_code":401,"error_message":"The access token expired"}"#)
            let summary = try await explanation(sandbox, request: sandbox.requests().last?.id ?? 0)["summary"]?.stringValue ?? ""
            #expect(summary.contains("expired at 2026-01-01T04:00:00.000+03:00") && summary.contains("manual clock"), "\(summary)")
            #expect(sandbox.revokeIfPossible(token))
            _ = try await sandbox.request("GET", "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364",
                                          headers: [("Authorization", "Bearer \(token)")])
            let revoked = try await explanation(sandbox, request: sandbox.requests().last?.id ?? 0)["summary"]?.stringValue ?? ""
            #expect(revoked.contains("was revoked at"), "\(revoked)")
        }
    }

    @Test func aMagicAmountsPaymentSaysItsStageTheDueFailureTheRuleAndItsCallback() async throws {
        try await withSandbox(seed: 3) { sandbox in
            let created = try await sandbox.request("POST", "/api/v1/payments", headers: json, body: """
                {"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747",\
                "amount":{"currency":"KES","value":404},"_links":{"callback_url":"http://127.0.0.1:9/k2"}}
                """)
            let id = String(try #require(created.header("location")).split(separator: "/").last ?? "")
            let answer = try await sandbox.request("GET", "/__admin/explain?resource=\(id)")
            let explained = try JSON.parse(answer.body)
            let summary = try #require(explained["summary"]?.stringValue)
            for name in ["is Pending", "Failed is due at", "amount 404", "magic value", "its callback comes at"] {
                #expect(summary.contains(name), "\(summary)")
            }
            #expect(explained["timeline"]?["chosen_by"]?.stringValue?.hasPrefix("the rule at scenarios/default.yaml:") == true)
            #expect(explained["callback"]?["state"] == "not due yet")
            #expect(explained["callback"]?["why"]?.stringValue?.contains(#"{"seconds": 5}"#) == true, "says how far to advance")
            #expect(explained["callback"]?["signed_with"]?["client"] == "sandbox_client_id")
        }
    }

    @Test func aTopLevelCallbackURLIsAcceptedAsK2DoesAndExplained() async throws {
        try await withSandbox(seed: 3) { sandbox in
            let created = try await sandbox.request("POST", "/api/v2/send_money", headers: json, body: """
                {"currency":"KES","destinations":[{"type":"mobile_wallet","phone_number":"0712345678","amount":5}],\
                "callback_url":"http://127.0.0.1:9/sm"}
                """)
            #expect(created.status == 201 && created.body.isEmpty)
            let request = try await explanation(sandbox, request: sandbox.requests().last?.id ?? 0)
            #expect(request["ignored_keys"] == ["callback_url"])
            #expect(request["summary"]?.stringValue?.contains("no callback will come") == true)
            let id = String(try #require(created.header("location")).split(separator: "/").last ?? "")
            let resource = try JSON.parse(try await sandbox.request("GET", "/__admin/explain?resource=\(id)").body)
            #expect(resource["callback"]?["state"] == "none asked")
            #expect(resource["callback"]?["why"]?.stringValue?.contains("a top-level `callback_url` was, and K2 does not read it") == true)
            _ = try await sandbox.advance(seconds: 60)
            #expect(sandbox.callbacks().isEmpty, "as K2: no callback")
        }
    }

    @Test func aScenarioFaultIsNamedByItsLine() async throws {
        let faulty = TestScenario.yaml("""
            version: 1
            seed: 1
            tokens:
              - { value: t, client_id: c }
            credentials:
              - { client_id: c, client_secret: s, api_key: k }
            faults:
              - { match: { method: GET, path: /api/v1/payments/* }, respond: { status: 503 } }
            """, name: "faulty.yaml")
        try await withSandbox(faulty) { sandbox in
            _ = try await sandbox.request("GET", "/api/v1/payments/x", headers: [("Authorization", "Bearer t")])
            let summary = try await explanation(sandbox, request: 1)["summary"]?.stringValue ?? ""
            #expect(summary.contains("fault at faulty.yaml:8"), "\(summary)")
        }
    }

    @Test func askingWronglyIsAnsweredInK2sShape() async throws {
        try await withSandbox(seed: 3) { sandbox in
            #expect(try await sandbox.request("GET", "/__admin/explain").status == 400)
            #expect(try await sandbox.request("GET", "/__admin/explain?request=abc").status == 400)
            let none = try await sandbox.request("GET", "/__admin/explain?request=5")
            #expect(none.status == 404 && none.text.contains("has answered 0 K2 requests"))
            #expect(try await sandbox.request("GET", "/__admin/explain?resource=nope").status == 404)
            _ = try await sandbox.request("GET", "/api/v1/payments/x", headers: json)
            let listed = try JSON.parse(try await sandbox.request("GET", "/__admin/requests").body)
            #expect(listed.arrayValue?.first?["id"] == 1, "requests carry ids")
        }
    }

    /// An STK push asking for its callback in a way K2 does not read is accepted, and its
    /// request and resource say what was sent and that no callback will come.
    @Test func aCallbackAskedForWronglyIsNamed() async throws {
        try await withSandbox(seed: 3) { sandbox in
            let created = try await sandbox.request("POST", "/api/v1/incoming_payments", headers: json, body: """
                {"till_number":"K000000","subscriber":{"phone_number":"+254799999999"},"amount":{"currency":"KES","value":100},\
                "_links":{"callbackUrl":"http://127.0.0.1:9/k2"}}
                """)
            #expect(created.status == 201)
            let summary = try await explanation(sandbox, request: 1)["summary"]?.stringValue ?? ""
            #expect(summary.contains("`_links.callbackUrl` instead, so no callback will come"), "\(summary)")
            let id = String(try #require(created.header("location")).split(separator: "/").last ?? "")
            let resource = try JSON.parse(try await sandbox.request("GET", "/__admin/explain?resource=\(id)").body)
            #expect(resource["callback"]?["why"]?.stringValue?.contains("`_links.callbackUrl` was, and K2 does not read it") == true)
        }
    }

    /// A fault that only delays a request does not take the blame for the API's own answer.
    @Test func aLatencyFaultLeavesTheRealReason() async throws {
        let late = TestScenario.yaml("""
            version: 1
            seed: 1
            credentials:
              - { client_id: c, client_secret: s, api_key: k }
            faults:
              - { match: { method: GET, path: /api/v1/payments/* }, latency: 10ms }
            """, name: "late.yaml")
        try await withSandbox(late) { sandbox in
            _ = try await sandbox.request("GET", "/api/v1/payments/x")
            let explained = try await explanation(sandbox, request: 1)
            #expect(explained["summary"]?.stringValue?.contains("no Authorization header") == true, "\(explained)")
            #expect(explained["details"]?.arrayValue?.first?.stringValue?.contains("served late by the scenario's fault at late.yaml:6") == true)
        }
    }

    /// A resource that never reaches a final stage says no callback will come, not when.
    @Test func aPaymentThatStaysPendingSaysNoCallbackWillCome() async throws {
        try await withSandbox(seed: 3) { sandbox in
            let created = try await sandbox.request("POST", "/api/v1/payments", headers: json, body: """
                {"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747",\
                "amount":{"currency":"KES","value":408},"_links":{"callback_url":"http://127.0.0.1:9/k2"}}
                """)
            let id = String(try #require(created.header("location")).split(separator: "/").last ?? "")
            let resource = try JSON.parse(try await sandbox.request("GET", "/__admin/explain?resource=\(id)").body)
            #expect(resource["callback"]?["state"] == "none coming")
            #expect(resource["summary"]?.stringValue?.contains("no callback will come: its timeline ends at Pending") == true,
                    "\(resource["summary"] ?? .null)")
        }
    }

    /// The server's own sandbox is among the others a sandbox's explanation looks in.
    @Test func anotherSandboxsResourceIsNamedWhicheverWay() async throws {
        try await withSandbox(seed: 3) { shared in
            let created = try await shared.request("POST", "/api/v1/payments", headers: json, body: """
                {"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747",\
                "amount":{"currency":"KES","value":100}}
                """)
            let path = String(try #require(created.header("location")).dropFirst(shared.baseURL.count))
            try await withSandbox(on: shared, name: "w4") { sandbox in
                let token = try sandbox.accessToken()
                _ = try await sandbox.request("GET", path, headers: [("Authorization", "Bearer \(token)")])
                let summary = try JSON.parse(try await shared.request("GET", "/__admin/sandboxes/w4/explain?request=1").body)["summary"]?
                    .stringValue ?? ""
                #expect(summary.contains("sandbox default has it"), "\(summary)")
            }
        }
    }
}

extension TestSandbox {
    /// Revokes `token` as POST /oauth/revoke does.
    func revokeIfPossible(_ token: String) -> Bool { sandbox.revokeToken(token) }
}
