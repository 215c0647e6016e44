import Foundation
import K2MockTesting
import K2Sandbox
import OrderedJSON
import Testing
import Transcripts

/// `GET /__admin/transcript`: the whole conversation of a run, byte-stable across runs whose
/// server and receivers listen on other ports, compared in words by `TranscriptDiff`.
@Suite struct TranscriptTests {
    private let scenario = TestScenario.yaml("""
        version: 1
        seed: 7
        credentials:
          - { client_id: app, client_secret: s3cret, api_key: app-key }
        timelines:
          incoming_payment: [{ after: 0s, stage: Pending }, { after: 10s, stage: Success }]
        """, name: "app.yaml")

    /// Token, an STK push called back on `receiver`, GET, advance 10 s, GET; answers the transcript.
    private func run(amount: Int) async throws -> String {
        let receiver = try CallbackReceiver()
        defer { Task.detached { receiver.stop() } }
        return try await withSandbox(scenario) { sandbox in
            let token = try await sandbox.request(
                "POST", "/oauth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: "grant_type=client_credentials&client_id=app&client_secret=s3cret")
            let value = try #require(JSON.parse(token.body)["access_token"]?.stringValue)
            let auth = [("Authorization", "Bearer \(value)"), ("Content-Type", "application/json")]
            let created = try await sandbox.request("POST", "/api/v2/incoming_payments", headers: auth, body: """
                {"payment_channel":"M-PESA STK Push","till_number":"K000000","subscriber":{"phone_number":"+254799999999"},\
                "amount":{"currency":"KES","value":"\(amount)"},"_links":{"callback_url":"\(receiver.url("/k2/result"))"}}
                """)
            #expect(created.status == 201)
            let path = try #require(created.header("location")).dropFirst(sandbox.baseURL.count)
            _ = try await sandbox.request("GET", String(path), headers: auth)
            _ = try await sandbox.advance(seconds: 10)
            _ = try await sandbox.request("GET", String(path), headers: auth)
            #expect(receiver.requests.count == 1)
            let overHTTP = try await sandbox.request("GET", "/__admin/transcript")
            #expect(overHTTP.header("content-type") == "text/plain; charset=utf-8")
            #expect(overHTTP.text == sandbox.transcript(), "the library and the admin API write the same bytes")
            for port in [sandbox.port, receiver.port] { #expect(!overHTTP.text.contains(":\(port)")) }
            return overHTTP.text
        }
    }

    @Test func theSameFlowOnOtherPortsGivesTheSameBytesAndAnotherAmountIsNamed() async throws {
        let first = try await run(amount: 150), second = try await run(amount: 150)
        #expect(first == second)
        for held in ["\"value\": \"150\"", "status: 201", "url: \"http://127.0.0.1:{port-1}/k2/result\"",
                     "\"X-KopoKopo-Signature\": ", "kind: clock", "entries: 6", "clock_start_from: \"fixed\""] {
            #expect(first.contains(held), "holds \(held)")
        }
        // The signature written is the one of the body as written, with the same key.
        let document = try TranscriptReader.read(first, file: "first")
        let callback = try #require(document.entries.first { $0["kind"] == "callback" })
        guard case .fields(let headers)? = callback.fields.first(where: { $0.key == "request_headers" })?.value,
              case .text(let signature)? = headers.first(where: { $0.key == "X-KopoKopo-Signature" })?.value else {
            Issue.record("no signature")
            return
        }
        let compact = try JSON.parse(Array(try #require(callback["request_body"]).utf8)).serialized()
        #expect(signature == kopoKopoSignature(body: compact, apiKey: "app-key"))

        let diff = TranscriptDiff(old: "a", new: "b")
        #expect(diff.differences(document, try TranscriptReader.read(second, file: "second")).isEmpty)
        let other = try await run(amount: 250)
        let differences = diff.differences(document, try TranscriptReader.read(other, file: "other"))
        #expect(differences.contains { $0.hasPrefix("entry 2, POST /api/v2/incoming_payments: request_body.amount.value: \"150\" → \"250\"") },
                "\(differences)")
    }

    @Test func aFreshSandboxHasAnEmptyTranscriptWithItsHeader() async throws {
        try await withSandbox(scenario) { sandbox in
            let text = try await sandbox.request("GET", "/__admin/transcript").text
            let document = try TranscriptReader.read(text, file: "fresh")
            #expect(document.entries.isEmpty)
            #expect(document.header["entries"] == "0" && document.header["dropped"] == "0")
            #expect(document.header["sandbox"] == "default" && document.header["scenario"] == "app.yaml" && document.header["seed"] == "7")
            #expect(document.header["clock_start"] == Sandbox.manualClockStart.iso8601())
        }
    }

    @Test func aSnapshotOfARealClockIsRefusedSayingWhy() async throws {
        try await withSandbox(scenario, clock: .real) { sandbox in
            let refused = try await sandbox.request("GET", "/__admin/transcript?snapshot=true")
            #expect(refused.status == 409)
            #expect(refused.text.contains("real clock") && refused.text.contains("manual clock"))
            #expect(try await sandbox.request("GET", "/__admin/transcript").status == 200, "reading it is fine")
            #expect(throws: TranscriptMismatch.self) { try sandbox.assertTranscript(matches: "/nonexistent/x.yaml") }
            let document = try TranscriptReader.read(sandbox.transcript(), file: "real")
            #expect(document.header["clock_start_from"] == "wall time")
        }
    }

    @Test func eachSandboxHasItsOwnTranscriptUnderItsName() async throws {
        try await withSandbox(scenario) { shared in
            try await withSandbox(on: shared, name: "checkout") { sandbox in
                let token = try sandbox.accessToken()
                _ = try await sandbox.request("GET", "/api/v1/payments/nope", headers: [("Authorization", "Bearer \(token)")])
                let text = try await shared.request("GET", "/__admin/sandboxes/checkout/transcript").text
                #expect(text == sandbox.transcript())
                let document = try TranscriptReader.read(text, file: "checkout")
                #expect(document.header["sandbox"] == "checkout" && document.entries.count == 1)
                #expect(document.entries.first?["status"] == "404")
                #expect(try TranscriptReader.read(shared.transcript(), file: "shared").entries.isEmpty)
            }
        }
    }

    @Test func theDiffEndpointAnswersInWordsAndRefusesWhatIsNotATranscript() async throws {
        try await withSandbox(scenario) { sandbox in
            let transcript = sandbox.transcript()
            func diff(_ expected: String, _ actual: String) async throws -> RawHTTPClient.Response {
                let body = JSON.object(JSONObject([("expected", .string(expected)), ("actual", .string(actual))])).compactString
                return try await sandbox.request("POST", "/__admin/transcript/diff", body: body)
            }
            let same = try await diff(transcript, transcript)
            #expect(same.status == 200 && same.text == #"{"equal":true,"differences":[]}"#)
            let seeded = try await diff(transcript, transcript.replacingOccurrences(of: "seed: 7", with: "seed: 8"))
            #expect(seeded.text == #"{"equal":false,"differences":["header: seed: \"7\" → \"8\""]}"#)
            let broken = try await diff("format: [", transcript)
            #expect(broken.status == 400 && broken.text.contains("expected:") && broken.text.contains("not YAML"))
            let older = try await diff(transcript.replacingOccurrences(of: "k2mock-transcript/1", with: "k2mock-transcript/0"), transcript)
            #expect(older.status == 400 && older.text.contains("format k2mock-transcript/0: this k2mock reads k2mock-transcript/1"))
            #expect(try await sandbox.request("POST", "/__admin/transcript/diff", body: "{}").status == 400)
        }
    }

    /// The README tutorial's flow (token, payment, advance, callback, webhook event) as a golden
    /// transcript: a change to any byte a K2 client sees shows up as a diff of
    /// Golden/tutorial.transcript.yaml in review. Accept one with K2MOCK_UPDATE_SNAPSHOTS=1.
    @Test func theTutorialsConversationIsTheGoldenTranscript() async throws {
        let receiver = try CallbackReceiver()
        defer { Task.detached { receiver.stop() } }
        try await withSandbox(.default, seed: 2021) { sandbox in
            let docsToken = [("Authorization", "Bearer 0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q")]
            #expect(try await sandbox.request("GET", "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364", headers: docsToken).status == 200)
            let token = try await sandbox.request(
                "POST", "/oauth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: "grant_type=client_credentials&client_id=sandbox_client_id&client_secret=sandbox_client_secret")
            #expect(token.status == 200)
            let json = docsToken + [("Content-Type", "application/json")]
            let created = try await sandbox.request("POST", "/api/v1/payments", headers: json, body: """
                {"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747",\
                "amount":{"currency":"KES","value":20000},"metadata":{"notes":"Salary"},\
                "_links":{"callback_url":"\(receiver.url("/k2/result"))"}}
                """)
            let path = String(try #require(created.header("location")).dropFirst(sandbox.baseURL.count))
            _ = try await sandbox.request("GET", path, headers: docsToken)
            _ = try await sandbox.advance(seconds: 2)
            _ = try await sandbox.advance(seconds: 3)
            _ = try await sandbox.request("GET", path, headers: docsToken)
            let subscribed = try await sandbox.request("POST", "/api/v2/webhook_subscriptions", headers: json, body: """
                {"event_type":"buygoods_transaction_received","url":"\(receiver.url("/hooks"))","scope":"company"}
                """)
            #expect(subscribed.status == 201)
            _ = try await sandbox.fireEvent("buygoods_transaction_received", resource: ["amount": "250.0"])
            #expect(receiver.requests.map(\.path) == ["/k2/result", "/hooks"])
            let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/tutorial.transcript.yaml")
            #expect(FileManager.default.fileExists(atPath: golden.path), "checked in, so a missing one is a failure, not a first run")
            try sandbox.assertTranscript(matches: "Golden/tutorial.transcript.yaml")
        }
    }

    /// Bodies of every shape, and ports however a client writes its URLs, survive the trip
    /// through the YAML exactly.
    @Test func oddBodiesAndPortsAreWrittenSoTheyReadBack() throws {
        let sandbox = Sandbox(scenario: Scenario(source: "odd.yaml", seed: 1, clock: Scenario.ClockSettings(mode: .manual)))
        func exchange(_ body: [UInt8], _ headers: [(name: String, value: String)] = []) -> Exchange {
            Exchange(method: "POST", path: "/api/v1/payments", query: [(name: "a", value: "1"), (name: "flag", value: "")],
                     requestHeaders: [(name: "Host", value: "127.0.0.1:4321"), (name: "User-Agent", value: "sdk/9")] + headers,
                     requestBody: body, status: 400, responseHeaders: [(name: "Location", value: "http://127.0.0.1:4321/x")],
                     responseBody: Array(#"{"error_code":400}"#.utf8))
        }
        let bodies: [[UInt8]] = [
            Array(#"{"url":"http:\/\/127.0.0.1:5555\/cb","other":"https://example.com:8443/x","n":1.50}"#.utf8),
            Array("line one\nline two \u{2028} \u{85}".utf8),
            [0xFF, 0x00, 0x41],
            Array(#"[1, "two", {"three": []}]"#.utf8),
        ]
        for body in bodies { sandbox.recordRequest(method: "POST", path: "/api/v1/payments", status: 400, exchange: exchange(body)) }
        let text = TranscriptWriter(header: TranscriptHeader(sandbox: "default", scenario: "odd.yaml", seed: 1)).write(sandbox.transcript())
        #expect(!text.contains("4321") && !text.contains("5555") && !text.contains("8443"))
        #expect(!text.contains("sdk/9"), "User-Agent is left out")
        let document = try TranscriptReader.read(text, file: "odd")
        #expect(document.entries.count == 4)
        #expect(document.entries[0]["query"] == "a=1&flag")
        let first = try JSON.parse(Array(try #require(document.entries[0]["request_body"]).utf8))
        #expect(first["url"]?.stringValue == "http://127.0.0.1:{port-1}/cb")
        #expect(first["other"]?.stringValue == "https://example.com:{port-2}/x")
        #expect(first["n"]?.numberLexeme == "1.50", "numbers as sent")
        #expect(document.entries[1]["request_body"] == "line one\nline two \u{2028} \u{85}")
        #expect(document.entries[2]["request_body_base64"] == "/wBB")
        #expect(document.entries[3]["request_body"]?.hasPrefix("[\n  1,\n  \"two\"") == true)
        #expect(document.entries[0]["response_body"] != nil)
        guard case .fields(let headers)? = document.entries[0].fields.first(where: { $0.key == "response_headers" })?.value else {
            Issue.record("no response headers")
            return
        }
        #expect(headers == [.init(key: "Location", value: .text("http://127.0.0.1:{k2mock-port}/x"))])
    }

    /// The latest 10,000 entries are kept; the header says how many went, and numbers carry on.
    @Test func aLongRunIsCutAndSaysWhere() throws {
        let sandbox = Sandbox(scenario: Scenario(source: "long.yaml", seed: 1, clock: Scenario.ClockSettings(mode: .manual)))
        for index in 0..<10_001 {
            sandbox.recordRequest(method: "GET", path: "/api/v1/payments/\(index)", status: 404, exchange: Exchange(
                method: "GET", path: "/api/v1/payments/\(index)", query: [], requestHeaders: [], requestBody: [],
                status: 404, responseHeaders: [], responseBody: []))
        }
        let snapshot = sandbox.transcript()
        #expect(snapshot.dropped == 1 && snapshot.entries.count == 10_000)
        let text = TranscriptWriter(header: TranscriptHeader(sandbox: "default", scenario: "long.yaml", seed: 1)).write(snapshot)
        let document = try TranscriptReader.read(text, file: "long")
        #expect(document.header["dropped"] == "1" && document.header["entries"] == "10000")
        #expect(document.entries.first?["entry"] == "2" && document.entries.first?["path"] == "/api/v1/payments/1")
        #expect(document.entries.last?["entry"] == "10001" && document.entries.last?["path"] == "/api/v1/payments/10000")
    }

    /// Entries share the parts equal to the previous one's, and each still reads as it was sent
    /// and answered: alternating, repeated and changed paths, headers and bodies.
    @Test func eachEntryKeepsItsOwnExchangeWhenPartsRepeat() {
        let sandbox = Sandbox(scenario: Scenario(source: "share.yaml", seed: 1, clock: Scenario.ClockSettings(mode: .manual)))
        func exchange(_ index: Int) -> Exchange {
            let path = "/api/v1/payments/\(index % 2)"
            return Exchange(
                method: index % 3 == 0 ? "POST" : "GET", path: path, query: index % 4 == 0 ? [("page", "\(index)")] : [],
                requestHeaders: [("Authorization", "Bearer token-\(index / 3)")], requestBody: index % 3 == 0 ? [UInt8(index)] : [],
                status: 200, responseHeaders: [("Content-Type", "application/json")],
                responseBody: Array("{\"n\":\(index / 2)}".utf8))
        }
        for index in 0..<12 {
            sandbox.recordRequest(method: exchange(index).method, path: exchange(index).path, status: 200, exchange: exchange(index))
        }
        let kept = sandbox.transcript().entries.compactMap { entry -> Exchange? in
            if case .exchange(_, _, let exchange) = entry { return exchange }
            return nil
        }
        #expect(kept.count == 12)
        for (index, got) in kept.enumerated() {
            let sent = exchange(index)
            #expect(got.method == sent.method && got.path == sent.path && got.requestBody == sent.requestBody)
            #expect(got.query.map { "\($0.name)=\($0.value)" } == sent.query.map { "\($0.name)=\($0.value)" })
            #expect(got.requestHeaders.map(\.value) == sent.requestHeaders.map(\.value))
            #expect(got.responseBody == sent.responseBody)
        }
        #expect(sandbox.requests().map(\.path) == (0..<12).map { exchange($0).path })
    }

    /// Text that is canonically equal but spelled in other bytes (`é` as one scalar, then as `e`
    /// and a combining accent) is not shared: each entry and journal line keeps its own bytes.
    @Test func canonicallyEqualTextIsKeptAsSent() {
        let sandbox = Sandbox(scenario: Scenario(source: "share.yaml", seed: 1, clock: Scenario.ClockSettings(mode: .manual)))
        let spellings = ["/api/v1/payments/caf\u{E9}", "/api/v1/payments/cafe\u{301}"]
        for path in spellings {
            sandbox.recordRequest(method: "GET", path: path, status: 404, exchange: Exchange(
                method: "GET", path: path, query: [("q", path)], requestHeaders: [("X-Note", path)], requestBody: [],
                status: 404, responseHeaders: [], responseBody: []))
        }
        let kept = sandbox.transcript().entries.compactMap { entry -> Exchange? in
            if case .exchange(_, _, let exchange) = entry { return exchange }
            return nil
        }
        #expect(kept.map { Array($0.path.utf8) } == spellings.map { Array($0.utf8) })
        #expect(kept.map { Array($0.query[0].value.utf8) } == spellings.map { Array($0.utf8) })
        #expect(kept.map { Array($0.requestHeaders[0].value.utf8) } == spellings.map { Array($0.utf8) })
        #expect(sandbox.requests().map { Array($0.path.utf8) } == spellings.map { Array($0.utf8) })
    }

    @Test func aSnapshotWithoutASeedIsRefusedSayingWhy() async throws {
        let unseeded = TestScenario.yaml("""
            version: 1
            credentials:
              - { client_id: app, client_secret: s3cret, api_key: app-key }
            """, name: "unseeded.yaml")
        try await withSandbox(unseeded) { sandbox in
            let refused = try await sandbox.request("GET", "/__admin/transcript?snapshot=1")
            #expect(refused.status == 409 && refused.text.contains("no seed"))
            #expect(throws: TranscriptMismatch.notReproducible(TranscriptWriter.whyNotReproducible(sandbox.sandbox) ?? "")) {
                try sandbox.assertTranscript(matches: "/nonexistent/x.yaml")
            }
        }
    }

    /// A failed attempt is written in k2mock's words, without the transport's detail (the
    /// receiver's port, milliseconds), so a run with a refused callback is the same every time.
    @Test func aRefusedCallbackIsWrittenTheSameInEveryRun() async throws {
        try await withSandbox(scenario) { sandbox in
            let token = try sandbox.accessToken()
            let created = try await sandbox.request("POST", "/api/v2/incoming_payments", headers: [
                ("Authorization", "Bearer \(token)"), ("Content-Type", "application/json"),
            ], body: """
                {"payment_channel":"M-PESA STK Push","till_number":"K000000","subscriber":{"phone_number":"+254799999999"},\
                "amount":{"currency":"KES","value":"150"},"_links":{"callback_url":"http://127.0.0.1:1/k2/result"}}
                """)
            #expect(created.status == 201)
            _ = try await sandbox.advance(seconds: 10)
            let document = try TranscriptReader.read(sandbox.transcript(), file: "refused")
            let attempt = try #require(document.entries.first { $0["kind"] == "callback" })
            #expect(attempt["status"] == "null")
            #expect(attempt["error"] == "nothing accepted the connection", "\(attempt["error"] ?? "")")
            #expect(sandbox.callbacks().first?.attempts.first?.error?.contains("port 1") == true, "the journal keeps the detail")
        }
    }

    @Test func portsAreFoundBehindCredentialsAndInEscapedURLsAlone() throws {
        let sandbox = Sandbox(scenario: Scenario(source: "p.yaml", seed: 1, clock: Scenario.ClockSettings(mode: .manual)))
        for body in [#"{"callback_url":"http://hook:s3cret@127.0.0.1:5678/k2"}"#, #"{"u":"http://user:1234@[::1]:5679/"}"#,
                     #"cb=http:\/\/127.0.0.1:5680\/x"#] {
            sandbox.recordRequest(method: "POST", path: "/api/v1/payments", status: 400, exchange: Exchange(
                method: "POST", path: "/api/v1/payments", query: [], requestHeaders: [], requestBody: Array(body.utf8),
                status: 400, responseHeaders: [], responseBody: []))
        }
        let text = TranscriptWriter(header: TranscriptHeader(sandbox: "default", scenario: "p.yaml", seed: 1)).write(sandbox.transcript())
        for port in ["5678", "5679", "5680"] { #expect(!text.contains(port), "port \(port) is scrubbed") }
        #expect(text.contains("hook:s3cret@127.0.0.1:{port-1}/k2") && text.contains("user:1234@[::1]:{port-2}/"))
        #expect(text.contains(#"http:\\/\\/127.0.0.1:{port-3}\\/x"#))
    }

    @Test func bodiesWrittenOtherwiseThanSentSayTheirLength() throws {
        let sandbox = Sandbox(scenario: Scenario(source: "l.yaml", seed: 1, clock: Scenario.ClockSettings(mode: .manual)))
        let spaced = Array(#"{"a": 1, "a": 2}"#.utf8), huge = [UInt8](repeating: UInt8(ascii: "x"), count: Exchange.bodyLimit + 10)
        for body in [spaced, huge, Array(#"{"a":1}"#.utf8)] {
            sandbox.recordRequest(method: "POST", path: "/x", status: 404, exchange: Exchange(
                method: "POST", path: "/x", query: [], requestHeaders: [], requestBody: body, status: 404,
                responseHeaders: [], responseBody: []))
        }
        let document = try TranscriptReader.read(
            TranscriptWriter(header: TranscriptHeader(sandbox: "default", scenario: "l.yaml", seed: 1)).write(sandbox.transcript()),
            file: "lengths")
        #expect(document.entries[0]["request_body_length"] == "16", "a repeated key and spaces are not in the pretty body")
        #expect(document.entries[1]["request_body_length"] == "\(Exchange.bodyLimit + 10)")
        #expect(document.entries[1]["request_body"]?.utf8.count == Exchange.bodyLimit)
        #expect(document.entries[2]["request_body_length"] == nil, "compact JSON is written whole")
    }

    /// One entry more in the middle is said as such, not as every later entry differing.
    @Test func anEntryMoreInTheMiddleIsNamedAlone() async throws {
        let first = try await run(amount: 150)
        var lines = first.components(separatedBy: "\n---\n")
        lines.insert("entry: 99\nat: \"2026-01-01T03:00:00.000+03:00\"\nkind: request\nmethod: \"GET\"\npath: \"/extra\"\nstatus: 404", at: 3)
        let second = lines.joined(separator: "\n---\n")
        let differences = TranscriptDiff(old: "a", new: "b").differences(
            try TranscriptReader.read(first, file: "a"), try TranscriptReader.read(second, file: "b"))
        #expect(differences == ["entry 99 of b, GET /extra: only in b"], "\(differences)")
    }
}
