import K2MockServer
import MicroHTTP
import OrderedJSON
import Testing

private let auth = [("Authorization", "Bearer \(docsToken)"), ("Content-Type", "application/json")]

@Suite struct ReversalTests {
    /// K2 reports the reversed amount (the Ruby SDK's own fixture: `"201.0"`); k2mock knows it
    /// when it received the transaction itself.
    @Test func aReversalOfAReceivedTransactionReportsItsAmountAndOtherwiseNull() async throws {
        let server = makeServer()
        _ = await server.send("POST", "/__admin/events", body: #"{"topic":"buygoods_transaction_received","resource":{"amount":"250.0","reference":"QWE1234567"}}"#)
        let known = try await server.create("/api/v2/reversals", #"{"transaction_reference":"QWE1234567","reason":"refund"}"#)
        let unknown = try await server.create("/api/v2/reversals", #"{"transaction_reference":"NOPE000000"}"#)
        _ = await server.advance(5)
        #expect(await server.get(known)["data"]?["attributes"]?["reversal_bulk_payment"]?["amount"] == "250.0")
        #expect(await server.get(unknown)["data"]?["attributes"]?["reversal_bulk_payment"]?["amount"] == .null)
    }
}
