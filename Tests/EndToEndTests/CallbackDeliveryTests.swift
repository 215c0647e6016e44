import Crypto
import K2MockTestSupport
import K2MockTesting
import K2Sandbox
import MicroHTTP
import Locking
import Testing

#if canImport(Glibc)
import Glibc
#endif

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

    /// The proxy variables of k2mock's environment are ignored, `no_proxy` included; only the
    /// scenario's `callbacks.proxy` is used (README "Callbacks").
    @Test func onlyTheScenariosProxyIsUsedWhateverTheEnvironmentSays() throws {
        let proxy = try CallbackReceiver()
        let receiver = try CallbackReceiver()
        defer { proxy.stop(); receiver.stop() }
        let root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        let happyPath = root + "/scenarios/happy-path.yaml"
        let auth = [("Authorization", "Bearer demo-token"), ("Content-Type", "application/json")]
        let payment = #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","#
            + #""amount":{"currency":"KES","value":100},"_links":{"callback_url":"\#(receiver.url())"}}"#
        let deliver = { (server: ServerProcess) throws in
            defer { server.stop() }
            let client = try RawHTTPClient(port: server.port)
            #expect(try client.request("POST", "/api/v1/payments", headers: auth, body: payment).status == 201)
            #expect(try client.request("POST", "/__admin/clock/advance", body: #"{"seconds":30}"#).status == 200)
        }
        let everyProxy = ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
        try deliver(try ServerProcess(arguments: ["--scenario", happyPath],
                                      environment: Dictionary(uniqueKeysWithValues: everyProxy.map { ($0, proxy.url("")) })))
        #expect(receiver.requests.count == 1)
        #expect(proxy.requests.isEmpty)

        // The happy path plus a proxy, beside a link to the fixtures it names relatively.
        let directory = "/tmp/k2mock-proxy-\(getpid())", scenario = directory + "/scenarios/proxy.yaml"
        mkdir(directory, 0o755)
        mkdir(directory + "/scenarios", 0o755)
        symlink(root + "/fixtures", directory + "/fixtures")
        defer { _ = ServerProcess.run(binary: "/bin/rm", ["-rf", directory]) }
        let file = fopen(scenario, "w")
        fputs(String(decoding: try #require(FileSystem.read(happyPath)), as: UTF8.self)
              + "\ncallbacks: { proxy: \"\(proxy.url(""))\" }\n", file)
        fclose(file)
        try deliver(try ServerProcess(arguments: ["--scenario", scenario],
                                      environment: ["no_proxy": "*", "NO_PROXY": "127.0.0.1,localhost"]))
        #expect(proxy.requests.count == 1)
        #expect(receiver.requests.count == 1)
    }
}
