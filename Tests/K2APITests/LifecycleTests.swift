import K2MockServer
@testable import K2Sandbox
import MicroHTTP
import OrderedJSON
import Testing

private let auth = [("Authorization", "Bearer \(docsToken)"), ("Content-Type", "application/json")]
private let docsRecipient = "c7f300c0-f1ef-4151-9bbe-005005aa3747"

private func paymentBody(amount: String = "20000") -> String {
    #"{"destination_type":"mobile_wallet","destination_reference":"\#(docsRecipient)","amount":{"currency":"KES","value":\#(amount)},"description":"Salary payment for May 2018","category":"salaries","tags":["tag 1"],"metadata":{"customerId":"8675309","notes":"Salary payment for May 2018"},"_links":{"callback_url":"https://example.test/cb"}}"#
}

extension K2MockServer {
    /// POSTs a create request; returns the path of its `location`.
    func create(_ path: String, _ body: String) async throws -> String {
        let response = await send("POST", path, headers: auth, body: body)
        guard response.status == 201, let location = response.headers["location"] else {
            throw TestFailure("create failed: \(response.status) \(response.text)")
        }
        #expect(response.headers.fields.contains { $0.name == "location" }, "the header name must be lowercase")
        #expect(location.hasPrefix("http://127.0.0.1:8080/"))
        #expect(response.body.isEmpty)
        return String(location.dropFirst("http://127.0.0.1:8080".count))
    }

    func get(_ path: String) async -> JSON {
        let response = await send("GET", path, headers: auth)
        #expect(response.status == 200)
        return response.json ?? .null
    }

    func advance(_ seconds: Int) async -> JSON {
        await send("POST", "/__admin/clock/advance", body: #"{"seconds":\#(seconds)}"#).json ?? .null
    }
}

@Suite struct LifecycleTests {
    @Test func paymentMovesFromPendingThroughProcessedToTransferred() async throws {
        let server = makeServer()
        let path = try await server.create("/api/v1/payments", paymentBody())
        var attributes = await server.get(path)["data"]?["attributes"]
        #expect(attributes?["status"] == "Pending")
        #expect(attributes?["transfer_batches"] == .array([]))
        #expect(attributes?["created_at"] == "2021-01-28T10:00:00.000+03:00")
        #expect(attributes?["amount"] == ["currency": "KES", "value": 20000])

        let ran = await server.advance(2)
        #expect(ran["ran"]?.arrayValue?.count == 1)
        #expect(ran["ran"]?.arrayValue?.first?["stage"] == "Processed")
        attributes = await server.get(path)["data"]?["attributes"]
        #expect(attributes?["status"] == "Processed")
        let pendingBatch = attributes?["transfer_batches"]?.arrayValue?.first
        #expect(pendingBatch?["status"] == "Pending")
        #expect(pendingBatch?["disbursements"]?.arrayValue?.first?["transaction_reference"] == .null)

        _ = await server.advance(3)
        attributes = await server.get(path)["data"]?["attributes"]
        #expect(attributes?["status"] == "Processed")
        let batch = try #require(attributes?["transfer_batches"]?.arrayValue?.first)
        #expect(batch["status"] == "Transferred")
        let disbursement = try #require(batch["disbursements"]?.arrayValue?.first)
        #expect(disbursement["status"] == "Transferred")
        #expect(disbursement["amount"] == "20000.0")
        #expect(disbursement["destination_type"] == "Mobile Wallet")
        #expect(disbursement["destination_reference"] == .string(docsRecipient))
        #expect(disbursement["origination_time"] == "2021-01-28T10:00:05.000+03:00")
        #expect(disbursement["transaction_reference"]?.stringValue?.count == 10)
        #expect(attributes?.objectValue?.keys == ["status", "created_at", "origination_time", "amount", "transfer_batches", "errors", "metadata", "_links"])
        #expect(attributes?["origination_time"] == "2021-01-28T10:00:05.000+03:00")
    }

    @Test func advancingPastSeveralStagesRunsThemInOrderStampedWithTheirOwnTimes() async throws {
        let server = makeServer()
        let first = try await server.create("/api/v1/payments", paymentBody())
        _ = await server.advance(1)
        let second = try await server.create("/api/v1/payments", paymentBody(amount: "\"150.50\""))
        let ran = try #require(await server.advance(60)["ran"]?.arrayValue).filter { $0["stage"] != nil }
        #expect(ran.map { $0["stage"]?.stringValue ?? "" } == ["Processed", "Processed", "Transferred", "Transferred"])
        #expect(ran.map { $0["at"]?.stringValue ?? "" } == [
            "2021-01-28T10:00:02.000+03:00", "2021-01-28T10:00:03.000+03:00",
            "2021-01-28T10:00:05.000+03:00", "2021-01-28T10:00:06.000+03:00"])
        #expect(ran.map { "/api/v1/payments/" + ($0["id"]?.stringValue ?? "") } == [first, second, first, second])
        let amount = await server.get(second)["data"]?["attributes"]?["amount"]
        #expect(amount == ["currency": "KES", "value": "150.5"])
    }

    @Test func ruleMatchedPaymentEndsFailedWithItsReason() async throws {
        let server = makeServer()
        let path = try await server.create("/api/v1/payments", paymentBody(amount: "404"))
        _ = await server.advance(5)
        let attributes = await server.get(path)["data"]?["attributes"]
        #expect(attributes?["status"] == "Failed")
        #expect(attributes?["errors"] == "The balance is insufficient for the transaction")
        #expect(attributes?["transfer_batches"] == .array([]))
    }

    @Test func magicAmountStaysPendingForever() async throws {
        let server = makeServer()
        let path = try await server.create("/api/v1/payments", paymentBody(amount: "408"))
        _ = await server.advance(86_400 * 30)
        #expect(await server.get(path)["data"]?["attributes"]?["status"] == "Pending")
    }

    @Test func sendMoneyHasOneBatchPerDestinationWithAmountsThatAddUp() async throws {
        let server = makeServer()
        let path = try await server.create("/api/v2/send_money", #"""
            {"source_identifier":null,"currency":"KES","destinations":[
              {"type":"mobile_wallet","nickname":"Jane","phone_number":"254900000000","network":"Safaricom","amount":1000,"description":"x","favourite":true},
              {"type":"bank_account","account_name":"A","account_number":"1","bank_branch_ref":"633aa26c-7b7c-4091-ae28-96c0687cf886","amount":"250.50"},
              {"type":"till","till_number":"555555","amount":"49.50"}],
             "metadata":{"customerId":"8675309"},"_links":{"callback_url":"https://cb"}}
            """#)
        #expect(await server.get(path)["data"]?["attributes"]?["status"] == "Pending")
        _ = await server.advance(5)
        let attributes = try #require(await server.get(path)["data"]?["attributes"])
        #expect(attributes["status"] == "Processed")
        #expect(attributes["destinations"]?.arrayValue?.map { $0["amount"] } == [1000, "250.5", "49.5"])
        let batches = try #require(attributes["transfer_batches"]?.arrayValue)
        #expect(batches.count == 3)
        var total: Int64 = 0
        for batch in batches {
            #expect(batch["status"] == "Transferred")
            let disbursement = try #require(batch["disbursements"]?.arrayValue?.first)
            #expect(disbursement["amount"] == batch["amount"])
            #expect(disbursement["transaction_reference"]?.stringValue?.count == 10)
            total += Money(batch["amount"]!)!.cents
        }
        #expect(total == 130_000)
        #expect(batches[0]["disbursements"]?.arrayValue?.first?["phone_number"] == "254900000000")
    }

    @Test func blindTransferMovesThroughItsStages() async throws {
        let server = makeServer()
        let path = try await server.create("/api/v2/send_money", #"{"currency":"KES","_links":{"callback_url":"https://cb"}}"#)
        _ = await server.advance(5)
        let attributes = await server.get(path)["data"]?["attributes"]
        #expect(attributes?["status"] == "Processed")
        #expect(attributes?["destinations"] == .array([]))
    }

    @Test func stkPushSucceedsWithTheFullTransaction() async throws {
        let server = makeServer()
        let path = try await server.create("/api/v1/incoming_payments", #"""
            {"payment_channel":"M-PESA STK Push","till_number":"K000000","subscriber":{"first_name":"Joe","middle_name":null,"last_name":"Buyer","phone_number":"0799999999","email":"j@x"},"amount":{"currency":"KES","value":"100"},"metadata":{"reference":"123456"},"_links":{"callback_url":"https://cb"}}
            """#)
        var attributes = await server.get(path)["data"]?["attributes"]
        #expect(attributes?["status"] == "Pending")
        #expect(attributes?["event"] == ["type": "Incoming Payment Request", "resource": nil, "errors": nil])
        _ = await server.advance(5)
        attributes = await server.get(path)["data"]?["attributes"]
        #expect(attributes?["status"] == "Success")
        let resource = try #require(attributes?["event"]?["resource"])
        #expect(resource.objectValue?.keys == ["id", "reference", "origination_time", "sender_phone_number", "amount", "currency",
                                                "till_number", "system", "status", "sender_first_name", "sender_middle_name", "sender_last_name"])
        #expect(resource["sender_phone_number"] == "+254799999999")
        #expect(resource["amount"] == "100.0")
        #expect(resource["status"] == "Received")
        #expect(resource["origination_time"] == "2021-01-28T10:00:05+03:00")
        #expect(resource["id"] != attributes?["id"])
    }

    @Test func stkPushTheCustomerCancelsFails() async throws {
        let server = makeServer()
        let path = try await server.create("/api/v2/incoming_payments", #"""
            {"till_number":"K000000","subscriber":{"phone_number":"+254700000001"},"amount":{"currency":"KES","value":10},"_links":{"callback_url":"https://cb"}}
            """#)
        _ = await server.advance(5)
        let attributes = await server.get(path)["data"]?["attributes"]
        #expect(attributes?["status"] == "Failed")
        #expect(attributes?["event"]?["errors"] == "Request cancelled by user")
        #expect(attributes?["event"]?["resource"] == .null)
        #expect(attributes?["metadata"] == .object(JSONObject()))
    }

    @Test func recipientsAreApprovedAndPayableByTheirId() async throws {
        let server = makeServer()
        let path = try await server.create("/api/v1/pay_recipients", #"""
            {"type":"bank_account","pay_recipient":{"account_name":"Jane","account_number":"123","bank_branch_ref":"633aa26c-7b7c-4091-ae28-96c0687cf886","settlement_method":"EFT"}}
            """#)
        let recipient = await server.get(path)["data"]
        #expect(recipient?["type"] == "pay_recipient")
        #expect(recipient?["attributes"]?["recipient_type"] == "Bank Account")
        #expect(recipient?["attributes"]?["status"] == "Approved")
        let id = try #require(recipient?["id"]?.stringValue)
        let mismatch = await server.send("POST", "/api/v1/payments", headers: auth, body: paymentBody().replacingOccurrences(of: docsRecipient, with: id))
        #expect(mismatch.status == 400)
        #expect(mismatch.json?["error_message"]?.stringValue?.contains("does not match") == true)
        let paid = try await server.create("/api/v1/payments", paymentBody()
            .replacingOccurrences(of: docsRecipient, with: id).replacingOccurrences(of: "mobile_wallet", with: "bank_account"))
        _ = await server.advance(5)
        #expect(await server.get(paid)["data"]?["attributes"]?["transfer_batches"]?.arrayValue?.first?["disbursements"]?.arrayValue?.first?["destination_type"] == "Bank Account")
        let external = try await server.create("/api/v2/external_recipients", #"{"type":"till","external_recipient":{"till_name":"Shop","till_number":"555555","nickname":"s"}}"#)
        #expect(await server.get(external)["data"]?["attributes"]?["nickname"] == "s")
    }

    @Test(arguments: [
        ("/api/v1/payments", #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747"}"#, "amount is required"),
        ("/api/v1/payments", #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"USD","value":1}}"#, "amount.currency 'USD' is not supported; K2 accepts KES only"),
        ("/api/v1/payments", #"{"destination_type":"mobile_wallet","destination_reference":"nope","amount":{"currency":"KES","value":1}}"#, "destination_reference 'nope' is not a known pay recipient"),
        ("/api/v1/payments", #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":"lots"}}"#, #"amount.value must be a positive amount with at most two decimals, not "lots""#),
        ("/api/v2/send_money", #"{"currency":"KES","destinations":[{"type":"mobile_wallet","phone_number":"254900000000"}]}"#, "destinations[0].amount is required"),
        ("/api/v2/send_money", #"{"currency":"KES","destinations":[{"type":"rocket","amount":1}]}"#, "destinations[0].type 'rocket' is not one of mobile_wallet, bank_account, till, paybill, merchant_wallet, merchant_bank_account"),
        ("/api/v1/incoming_payments", #"{"till_number":"K000000","subscriber":{"phone_number":"12"},"amount":{"currency":"KES","value":1}}"#, "Subscriber phone number is an invalid number"),
        ("/api/v1/pay_recipients", #"{"type":"mobile_wallet","pay_recipient":{"first_name":"A"}}"#, "pay_recipient.phone_number is required"),
    ])
    func invalidRequestsGetK2s400WithAUsefulMessage(_ path: String, _ body: String, _ message: String) async {
        let response = await makeServer().send("POST", path, headers: auth, body: body)
        #expect(response.status == 400)
        #expect(response.json?["error_code"] == 400)
        #expect(response.json?["error_message"] == .string(message))
    }

    @Test func createNeedsAValidTokenAndJSON() async {
        let server = makeServer()
        #expect(await server.send("POST", "/api/v1/payments", body: paymentBody()).status == 401)
        let malformed = await server.send("POST", "/api/v1/payments", headers: auth, body: "{\"amount\":")
        #expect(malformed.status == 400)
        #expect(malformed.json?["error_message"]?.stringValue?.hasPrefix("Malformed JSON") == true)
    }

    @Test func unknownKeysAndMetaDataSpellingAreAccepted() async throws {
        let server = makeServer()
        let path = try await server.create("/api/v1/payments", #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":5},"meta_data":{"k":"v"},"validation_context":null,"errors":{}}"#)
        #expect(await server.get(path)["data"]?["attributes"]?["metadata"] == ["k": "v"])
    }
}

@Suite struct DeterminismTests {
    /// A fixed sequence of requests; returns every body it saw.
    private func script(_ server: K2MockServer) async throws -> [String] {
        var bodies: [String] = []
        let token = try await server.issueToken()
        bodies.append(token)
        let payment = try await server.create("/api/v1/payments", paymentBody())
        let stk = try await server.create("/api/v2/incoming_payments", #"{"till_number":"K000000","subscriber":{"phone_number":"+254799999999"},"amount":{"currency":"KES","value":100}}"#)
        let money = try await server.create("/api/v2/send_money", #"{"currency":"KES","destinations":[{"type":"till","till_number":"1","amount":5}]}"#)
        for seconds in [0, 2, 3, 10] {
            bodies.append(await server.advance(seconds).compactString)
            for path in [payment, stk, money] {
                bodies.append(await server.send("GET", path, headers: auth).text)
            }
        }
        return bodies
    }

    @Test func sameScenarioSameRequestsSameBytesAlsoAfterReset() async throws {
        let seeded: (inout Scenario) -> Void = { $0.seed = 42 }
        let first = makeServer(seeded)
        let run1 = try await script(first)
        #expect(await first.send("POST", "/__admin/reset").status == 200)
        let run2 = try await script(first)
        let run3 = try await script(makeServer(seeded))
        #expect(run1 == run2)
        #expect(run1 == run3)
        let other = try await script(makeServer { $0.seed = 43 })
        #expect(other != run1)
    }
}

@Suite struct RealClockTests {
    /// `--clock real --time-scale 100`: a 90-second timeline completes in 0.9 s of wall time.
    @Test func scaledRealClockCompletesANinetySecondTimelineInPointNineSeconds() throws {
        final class Wall: @unchecked Sendable { var nanoseconds: UInt64 = 0 }
        let wall = Wall()
        var scenario = DefaultScenario.load()
        scenario.clock = .init(mode: .real, start: Timestamp(iso8601: "2021-01-28T10:00:00+03:00"), scale: 100)
        scenario.timelines.defaults[Payment.kind] = [
            .init(after: .zero, stage: .pending), .init(after: .seconds(30), stage: .processed),
            .init(after: .seconds(90), stage: .transferred)]
        let sandbox = Sandbox(scenario: scenario, monotonicNanoseconds: { wall.nanoseconds })
        let id = try sandbox.create(Payment.kind, body: try JSON.parse(paymentBody()).objectValue!,
                                    clientID: "sandbox_client_id", origin: "http://h", version: 1)
        func status() throws -> JSON? {
            try JSON.parse(sandbox.resource(Payment.kind, id: id)!.body(selfURL: "x"))["data"]?["attributes"]?["status"]
        }
        #expect(sandbox.wallNanosecondsUntilNextDue() == 300_000_000)
        wall.nanoseconds = 899_000_000
        #expect(try status() == "Processed")
        var batch = try JSON.parse(sandbox.resource(Payment.kind, id: id)!.body(selfURL: "x"))["data"]?["attributes"]?["transfer_batches"]
        #expect(batch?.arrayValue?.first?["status"] == "Pending")
        wall.nanoseconds = 900_000_000
        batch = try JSON.parse(sandbox.resource(Payment.kind, id: id)!.body(selfURL: "x"))["data"]?["attributes"]?["transfer_batches"]
        #expect(batch?.arrayValue?.first?["status"] == "Transferred")
        let body = String(decoding: sandbox.resource(Payment.kind, id: id)!.body(selfURL: "x"), as: UTF8.self)
        #expect(body.contains(#""origination_time":"2021-01-28T10:01:30.000+03:00""#))
    }
}
