import K2MockServer
import K2Sandbox
import MicroHTTP
import OrderedJSON
import Testing

/// What the official SDKs send that a strict server would refuse (k2-api.md §2, §11, §12).
@Suite struct SDKQuirksTests {
    private let bearer = ("Authorization", "Bearer \(docsToken)")
    private let json = ("Content-Type", "application/json")

    @Test func rubyPaymentLinkPathsWithADoubleSlashAndNullBodies() async throws {
        let server = makeServer()
        let created = await server.send("POST", "//api/v2/payment_links", headers: [bearer, json],
            body: #"{"till_number":"65328","currency":"KES","amount":20000,"payment_reference":"INV-1","note":"TV","metadata":{"k":"v"},"_links":{"callback_url":"https://cb.test"}}"#)
        #expect(created.status == 201)
        let path = String(try #require(created.headers["location"]).dropFirst("http://127.0.0.1:8080".count))
        // Ruby 3 sends `null` as the body of GETs; Ruby 4 cancels with `null`, Python with no body.
        let shown = await server.send("GET", "/" + path, headers: [bearer, json], body: "null")
        #expect(shown.status == 200)
        #expect(shown.json?["data"]?["attributes"]?["payment_link"]?["payment_link_status"] == "Active")
        #expect(shown.json?["data"]?["attributes"]?["payment_link"]?["expires_at"] == "2021-02-04T10:00:00.000+03:00")
        let cancelled = await server.send("POST", "/" + path + "/cancel", headers: [bearer, json], body: "null")
        #expect(cancelled.status == 200)
        #expect(cancelled.text == #"{"message":"Payment link cancelled."}"#)
        #expect(await server.send("POST", path + "/cancel", headers: [bearer, json]).status == 200)
        #expect(await server.get(path)["data"]?["attributes"]?["payment_link"]?["status"] == "Cancelled")
    }

    @Test func nodeRevokesAndIntrospectsWithBearerNullAndRubyAsksForTokensWithAnEmptyBearer() async throws {
        let server = makeServer()
        let token = try await server.issueToken()
        let introspect = await server.send("POST", "/oauth/introspect", headers: [("Authorization", "Bearer null"), json],
            body: #"{"client_id":"sandbox_client_id","client_secret":"sandbox_client_secret","token":"\#(token)"}"#)
        #expect(introspect.json?["active"] == true)
        let revoke = await server.send("POST", "/oauth/revoke", headers: [("Authorization", "Bearer null"), json],
            body: #"{"client_id":"sandbox_client_id","client_secret":"sandbox_client_secret","token":"\#(token)"}"#)
        #expect(revoke.text == "{}")
        let ruby = await server.send("POST", "/oauth/token", headers: [("Authorization", "Bearer "), json],
            body: #"{"client_id":"sandbox_client_id","client_secret":"sandbox_client_secret","grant_type":"client_credentials"}"#)
        #expect(ruby.status == 200)
    }

    @Test func anyAcceptHeaderAndPhonesWithOrWithoutPlus() async throws {
        let server = makeServer()
        for (accept, phone) in [("application/vnd.kopokopo.v4.hal+json", "+254999999999"), ("*/*", "254999999999"), ("text/html", "0799999999")] {
            let response = await server.send("POST", "/api/v1/incoming_payments", headers: [bearer, json, ("Accept", accept)],
                body: #"{"till_number":"K000000","subscriber":{"phone_number":"\#(phone)"},"amount":{"currency":"KES","value":"10"}}"#)
            #expect(response.status == 201, "\(accept) \(phone)")
        }
    }

    @Test func everyResultCarriesMetadataAndLinksForThePythonDecomposer() async throws {
        let server = makeServer()
        let bank = try await server.create("/api/v1/merchant_bank_accounts", #"{"account_name":"A","account_number":"1","bank_branch_ref":"633aa26c-7b7c-4091-ae28-96c0687cf886","settlement_method":"RTS"}"#)
        let bankID = String(bank.split(separator: "/").last!)
        let transfer = try await server.create("/api/v1/settlement_transfers", #"{"amount":{"currency":"KES","value":"1000"},"destination_type":"merchant_bank_account","destination_reference":"\#(bankID)","_links":{"callback_url":"https://cb.test"}}"#)
        let blind = try await server.create("/api/v1/settlement_transfers", #"{"amount":null,"destination_reference":null,"destination_type":null,"_links":{"callback_url":"https://cb.test"}}"#)
        let polling = try await server.create("/api/v2/polling", #"{"scope":"Company","scope_reference":"","from_time":"2021-01-28T09:00:00+03:00","to_time":"2021-01-28T11:00:00+03:00","_links":{"callback_url":"https://cb.test"}}"#)
        let sms = try await server.create("/api/v1/transaction_sms_notifications", #"{"webhook_event_reference":"x","message":"Thanks","_links":{"callback_url":"https://cb.test"}}"#)
        let reversal = try await server.create("/api/v2/reversals", #"{"transaction_reference":"TQ2L262026","reason":"Oops","_links":{"callback_url":"https://cb.test"}}"#)
        _ = await server.advance(10)
        for path in [transfer, blind, polling, sms, reversal] {
            let attributes = await server.get(path)["data"]?["attributes"]
            #expect(attributes?["metadata"]?.objectValue != nil, "\(path)")
            #expect(attributes?["_links"]?["self"]?.stringValue == "http://127.0.0.1:8080" + path)
            #expect(attributes?["_links"]?["callback_url"] == "https://cb.test")
        }
        let settled = await server.get(transfer)["data"]?["attributes"]
        #expect(settled?["origination_time"] == "2021-01-28T10:00:05.000+03:00")
        #expect(settled?["amount"] == ["currency": "KES", "value": 1000])
        #expect(await server.get(blind)["data"]?["attributes"]?["amount"]?["value"] == .null)
        #expect(await server.get(polling)["data"]?["attributes"]?["scope"] == "Company")
        #expect(await server.get(reversal)["data"]?["attributes"]?["reversal_bulk_payment"]?["status"] == "Transferred")
        let unknown = await server.send("POST", "/api/v1/settlement_transfers", headers: [bearer, json],
            body: #"{"amount":{"currency":"KES","value":"1"},"destination_type":"merchant_wallet","destination_reference":"nope","_links":{"callback_url":"https://cb.test"}}"#)
        #expect(unknown.json?["error_message"] == "destination_reference 'nope' is not a known merchant_wallet")
    }
}

@Suite struct PaymentLinkTests {
    private let auth = [("Authorization", "Bearer \(docsToken)"), ("Content-Type", "application/json")]
    private func link(_ amount: Int) -> String {
        #"{"till_number":"65328","currency":"KES","amount":\#(amount),"payment_reference":"INV-1","note":"TV","_links":{"callback_url":"https://cb.test/link"}}"#
    }

    @Test func aLinkPaidByARuleCallsBackWithThePaidShape() async throws {
        let transport = FakeTransport()
        let server = makeServer(transport: transport)
        let path = try await server.create("/api/v2/payment_links", link(202))
        #expect(await server.get(path)["data"]?["attributes"]?["payment_link"]?["status"] == "Active")
        _ = await server.advance(5)
        let paid = try #require(await server.get(path)["data"]?["attributes"]?["payment_link"])
        #expect(paid["status"] == "Paid" && paid["payment_link_status"] == "Paid")
        #expect(paid["transaction_reference"]?.stringValue?.count == 10)
        #expect(paid["sender_phone_number"] == .number("254999999999"))
        #expect(paid["origination_time"] == "2021-01-28T10:00:05.000+03:00")
        #expect(transport.sent.map(\.url) == ["https://cb.test/link"])
        let cancel = await server.send("POST", path + "/cancel", headers: auth)
        #expect(cancel.status == 400)
        #expect(cancel.json?["error_message"] == "Payment link has been paid and can no longer be cancelled")
    }

    @Test func aLinkCancelledBeforeItsPaymentIsNeverPaid() async throws {
        let transport = FakeTransport()
        let server = makeServer(transport: transport)
        let path = try await server.create("/api/v2/payment_links", link(202))
        _ = await server.advance(2)
        #expect(await server.send("POST", path + "/cancel", headers: auth).status == 200)
        _ = await server.advance(60)
        #expect(await server.get(path)["data"]?["attributes"]?["payment_link"]?["status"] == "Cancelled")
        #expect(transport.sent.isEmpty)
        let other = try await server.create("/api/v2/payment_links", link(500))
        _ = await server.advance(86_400)
        #expect(await server.get(other)["data"]?["attributes"]?["payment_link"]?["status"] == "Active", "unpaid by default")
    }
}
