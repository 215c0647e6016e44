import K2MockTesting
import K2Sandbox
import OrderedJSON
import MicroHTTP
import Testing

/// The testing library as another package's tests use it: a sandbox on a free port, driven and
/// read in-process, stopped when the scope ends.
@Suite struct WithSandboxTests {
    private let scenario = TestScenario.yaml("""
        version: 1
        seed: 7
        clock: { start: "2021-01-28T10:00:00+03:00" }
        credentials:
          - { client_id: app, client_secret: s3cret, api_key: app-key }
        tokens:
          - { value: app-token, client_id: app }
        timelines:
          incoming_payment: [{ after: 0s, stage: Pending }, { after: 10s, stage: Success }]
        """, name: "app.yaml")

    private func stkPush(callback: String) -> String {
        #"{"payment_channel":"M-PESA STK Push","till_number":"K000000","subscriber":{"phone_number":"+254799999999"},"amount":{"currency":"KES","value":100},"_links":{"callback_url":"\#(callback)"}}"#
    }

    @Test func aClientAtTheBaseURLIsCalledBackAfterAnAdvance() async throws {
        let receiver = try CallbackReceiver()
        try await withSandbox(scenario) { sandbox in
            #expect(sandbox.baseURL == "http://127.0.0.1:\(sandbox.port)")
            let auth = [("Authorization", "Bearer app-token"), ("Content-Type", "application/json")]
            let created = try await sandbox.request("POST", "/api/v2/incoming_payments", headers: auth,
                                                    body: stkPush(callback: receiver.url()))
            #expect(created.status == 201)
            let location = try #require(created.header("location"))
            #expect(location.hasPrefix(sandbox.baseURL + "/api/v2/incoming_payments/"))

            let stk = try #require(sandbox.resources().last)
            #expect(stk.kind.rawValue == "incoming_payment" && stk.stage?.rawValue == "Pending" && !stk.isFixture)
            #expect(sandbox.callbacks().isEmpty, "the manual clock has not moved")

            let ran = try await sandbox.advance(seconds: 10)
            #expect(ran.count == 2, "the stage change, then its callback's attempt")
            #expect(sandbox.resource("incoming_payment", id: stk.id)?.stage?.rawValue == "Success")
            let callback = try #require(sandbox.callbacks().first)
            #expect(callback.outcome == .delivered && callback.attempts.count == 1)
            #expect(callback.signature == kopoKopoSignature(body: callback.body, apiKey: "app-key"))
            #expect(receiver.requests.first?.body == callback.body, "the journal holds the bytes that were sent")
            let status = try await sandbox.request("GET", String(location.dropFirst(sandbox.baseURL.count)), headers: auth)
            #expect(status.body == callback.body)
            #expect(stk.body(origin: sandbox.baseURL) != status.body, "a snapshot is the body when it was taken")
            #expect(sandbox.resource("incoming_payment", id: stk.id)?.body(origin: sandbox.baseURL) == status.body)
            #expect(sandbox.requests().map { "\($0.method) \($0.status)" } == ["POST 201", "GET 200"])
        }
        await offThePool { receiver.stop() }
    }

    /// Tests sharing one server each get a sandbox of their own, found by its credentials, gone
    /// when the test's scope ends.
    @Test func sandboxesOnASharedServerAreIsolatedAndEndWithTheirScope() async throws {
        try await withSandbox(scenario) { shared in
            var tokens: [String] = []
            for name in ["test-a", "test-b"] {
                try await withSandbox(on: shared, name: name) { sandbox in
                    #expect(sandbox.id == name && sandbox.baseURL == shared.baseURL)
                    let client = try #require(sandbox.credentials.first)
                    #expect(client.clientID == "app-\(name)" && client.apiKey == "app-key-\(name)")
                    let token = try sandbox.accessToken()
                    tokens.append(token)
                    let auth = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
                    let created = try await sandbox.request("POST", "/api/v2/incoming_payments", headers: auth,
                                                            body: stkPush(callback: "http://127.0.0.1:9/x"))
                    #expect(created.status == 201)
                    #expect(sandbox.resources().filter { !$0.isFixture }.count == 1, "only its own")
                    try await sandbox.advance(seconds: 10)
                    #expect(shared.now() != sandbox.now(), "its clock is its own")
                }
            }
            #expect(shared.resources().filter { !$0.isFixture }.isEmpty)
            let gone = try await shared.request("GET", "/api/v2/incoming_payments/x", headers: [("Authorization", "Bearer \(tokens[0])")])
            #expect(gone.status == 401, "a deleted sandbox's token is refused")
            #expect(throws: TestSandboxError.self) { try shared.sandbox(name: "bad name") }
        }
    }

    @Test func tokensEventsAndResetWorkAsOverHTTP() async throws {
        let receiver = try CallbackReceiver()
        try await withSandbox(scenario) { sandbox in
            let token = try sandbox.accessToken()
            let auth = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
            let subscription = #"{"event_type":"buygoods_transaction_received","url":"\#(receiver.url("/hook"))","scope":"company"}"#
            #expect(try await sandbox.request("POST", "/api/v2/webhook_subscriptions", headers: auth, body: subscription).status == 201)
            let fired = try await sandbox.fireEvent("buygoods_transaction_received", resource: ["amount": "250.0"])
            #expect(fired.deliveryIDs.count == 1)
            #expect(receiver.requests.count == 1, "a manual clock delivers before fireEvent returns")
            let event = String(decoding: receiver.requests.first?.body ?? [], as: UTF8.self)
            #expect(event.contains(#""amount":"250.0""#), "\(event)")
            await #expect(throws: TestSandboxError.unknownTopic("buygoods")) { try await sandbox.fireEvent("buygoods") }
            #expect(throws: TestSandboxError.noClient("nobody")) { try sandbox.accessToken(clientID: "nobody") }
            await #expect(throws: TestSandboxError.invalidAdvance(-1)) { try await sandbox.advance(seconds: -1) }

            sandbox.reset()
            #expect(sandbox.resources().isEmpty && sandbox.callbacks().isEmpty && sandbox.requests().isEmpty)
            #expect(sandbox.now() == Timestamp(iso8601: "2021-01-28T10:00:00+03:00"))
            #expect(try await sandbox.request("GET", "/api/v2/webhook_subscriptions/x", headers: [("Authorization", "Bearer \(token)")]).status == 401,
                    "issued tokens are gone after a reset; the scenario's stay")
        }
        await offThePool { receiver.stop() }
    }

    @Test func theDefaultScenarioServesTheDocsPaymentOnAManualClock() async throws {
        try await withSandbox { sandbox in
            #expect(sandbox.sandbox.clockMode == .manual, "tests get a manual clock unless they ask")
            let response = try await sandbox.request("GET", docsPaymentPath, headers: [("Authorization", "Bearer \(docsToken)")])
            #expect(response.status == 200)
            #expect(sandbox.resources().contains { $0.isFixture && $0.kind.rawValue == "payment" && $0.path == docsPaymentPath })
        }
        try await withSandbox(clock: nil) { sandbox in
            #expect(sandbox.sandbox.clockMode == .real, "nil keeps the scenario's clock")
        }
    }

    @Test func theSandboxStopsWhenTheScopeThrowsAndABadScenarioSaysWhere() async throws {
        struct Boom: Error {}
        var port = 0
        await #expect(throws: Boom.self) {
            try await withSandbox(scenario) { sandbox in
                port = sandbox.port
                throw Boom()
            }
        }
        #expect(throws: (any Error).self, "nothing listens on \(port) any more") { try RawHTTPClient(port: port) }

        do {
            try await withSandbox(.yaml("version: 1\ntimelines:\n  payment: [{ after: 0s, stage: Sent }]\n", name: "bad.yaml")) { _ in }
            Issue.record("an invalid scenario started")
        } catch let error as ScenarioError {
            #expect(error.description.contains("bad.yaml:3"), "\(error)")
            #expect(error.description.contains("Sent"))
        }
    }
}
