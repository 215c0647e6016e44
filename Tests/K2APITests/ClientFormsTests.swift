import K2MockServer
import K2Sandbox
import MicroHTTP
import OrderedJSON
import Testing

private let auth = [("Authorization", "Bearer \(docsToken)"), ("Content-Type", "application/json")]

/// Requests as real clients send them (k2-api.md §2, §11, §12).
@Suite struct ClientFormsTests {
    /// Python SDK 1.2.7 sends `"metadata": ""` on an STK push without metadata; PHP encodes an
    /// empty array as `[]`. Every optional object field takes `""`, `[]` and `null` as absent.
    @Test(arguments: [#""""#, "[]", "null"])
    func emptyOptionalObjectsAreAbsent(_ empty: String) async throws {
        let server = makeServer()
        let bodies = [
            ("/api/v1/incoming_payments", #"{"till_number":"K1","subscriber":{"phone_number":"0712345678"},"amount":{"currency":"KES","value":1},"metadata":\#(empty),"_links":\#(empty)}"#),
            ("/api/v1/payments", #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":1},"metadata":\#(empty)}"#),
            ("/api/v2/send_money", #"{"currency":"KES","destinations":[{"type":"mobile_wallet","phone_number":"0712345678","amount":5}],"metadata":\#(empty)}"#),
            ("/api/v2/payment_links", #"{"till_number":"K1","amount":5,"metadata":\#(empty)}"#),
            ("/api/v1/settlement_transfers", #"{"amount":\#(empty),"metadata":\#(empty)}"#),
            ("/api/v2/reversals", #"{"transaction_reference":"X","metadata":\#(empty)}"#),
        ]
        for (path, body) in bodies {
            let response = await server.send("POST", path, headers: auth, body: body)
            #expect(response.status == 201, "\(path) with \(empty): \(response.text)")
            if let location = response.headers["location"] {
                let shown = await server.send("GET", String(location.dropFirst("http://127.0.0.1:8080".count)), headers: auth).json
                if let metadata = shown?["data"]?["attributes"]?["metadata"] { #expect(metadata == [:]) }
            }
        }
    }

    /// K2's samples echo what the caller sent; only what K2 produces (M-PESA's sender phone)
    /// takes K2's `+254…` form.
    @Test func echoedPhonesKeepTheCallersForm() async throws {
        let server = makeServer()
        for phone in ["254712345678", "0712345678", "+254712345678"] {
            let wallet = try await server.create("/api/v2/merchant_wallets", #"{"phone_number":"\#(phone)","network":"Safaricom"}"#)
            #expect(await server.get(wallet)["data"]?["attributes"]?["phone_number"] == .string(phone))
            let recipient = try await server.create("/api/v2/external_recipients", #"{"type":"mobile_wallet","external_recipient":{"phone_number":"\#(phone)"}}"#)
            #expect(await server.get(recipient)["data"]?["attributes"]?["phone_number"] == .string(phone))
            let sent = try await server.create("/api/v2/send_money", #"{"currency":"KES","destinations":[{"type":"mobile_wallet","phone_number":"\#(phone)","amount":5}]}"#)
            #expect(await server.get(sent)["data"]?["attributes"]?["destinations"]?.arrayValue?.first?["phone_number"] == .string(phone))
        }
        let stk = try await server.create("/api/v1/incoming_payments", #"{"till_number":"K1","subscriber":{"phone_number":"0712345678"},"amount":{"currency":"KES","value":1}}"#)
        _ = await server.advance(5)
        #expect(await server.get(stk)["data"]?["attributes"]?["event"]?["resource"]?["sender_phone_number"] == "+254712345678")
    }

    /// A phone rule matches however the request writes the number.
    @Test func phoneRulesMatchEveryFormOfTheNumber() async throws {
        let server = makeServer { scenario in
            scenario.timelines.rules = [TimelineRule(
                kind: SendMoney.kind, phoneDigits: "254712345678",
                timeline: [TimelineStep(after: .zero, stage: .pending), TimelineStep(after: .seconds(1), stage: .failed, error: "rule")])]
        }
        for phone in ["254712345678", "0712345678", "+254712345678"] {
            let sent = try await server.create("/api/v2/send_money", #"{"currency":"KES","destinations":[{"type":"mobile_wallet","phone_number":"\#(phone)","amount":5}]}"#)
            _ = await server.advance(1)
            #expect(await server.get(sent)["data"]?["attributes"]?["errors"] == "rule", "\(phone)")
        }
    }
}
