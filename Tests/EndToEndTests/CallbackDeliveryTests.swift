import Crypto
import K2MockTesting
import MicroHTTP
import Locking
import Testing

@Suite(.serialized) struct CallbackDeliveryTests {
    @Test func deliversTheSignedStatusBodyOverHTTPWithARetry() throws {
        let receiver = try CallbackReceiver(statuses: [500])
        defer { receiver.stop() }
        let root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        let server = try ServerProcess(arguments: ["--scenario", root + "/scenarios/happy-path.yaml"])
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        let auth = [("Authorization", "Bearer demo-token"), ("Content-Type", "application/json")]
        let created = try client.request("POST", "/api/v1/payments", headers: auth, body: #"""
            {"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":20000},"_links":{"callback_url":"\#(receiver.url())"}}
            """#)
        let path = String(try #require(created.header("location")).dropFirst(server.origin.count))
        // Transferred at 30 s: first attempt answered 500; the retry comes 10 s later.
        let first = try client.request("POST", "/__admin/clock/advance", body: #"{"seconds":30}"#)
        #expect(first.text.contains(#""status":500"#))
        #expect(receiver.requests.count == 1)
        _ = try client.request("POST", "/__admin/clock/advance", body: #"{"seconds":10}"#)
        let got = receiver.requests
        #expect(got.count == 2)
        let status = try client.request("GET", path, headers: auth)
        for request in got {
            #expect(request.method == "POST")
            #expect(request.path == "/k2/result")
            #expect(request.body == status.body)
            #expect(request.headers["Content-Type"] == "application/json")
            let signature = HMAC<SHA256>.authenticationCode(for: request.body, using: SymmetricKey(data: Array("demo-api-key".utf8)))
            #expect(request.headers["X-KopoKopo-Signature"] == signature.map { byte in
                let hex = String(byte, radix: 16)
                return hex.count == 1 ? "0" + hex : hex
            }.joined())
        }
        let journal = try client.request("GET", "/__admin/callbacks").text
        #expect(journal.contains(#""outcome":"delivered""#))
        #expect(journal.contains(#""status":500"#))
    }
}
