import Foundation
import K2MockTestSupport
import K2MockTesting
import K2Sandbox
import MicroHTTP
import Testing

private let docsToken = "0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q"
private let docsPaymentPath = "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364"

/// The real binary, started as users start it.
@Suite(.serialized) struct ServeTests {
    @Test func answersTheDocsRequestOverHTTPAndStopsCleanly() throws {
        let server = try ServerProcess()
        let client = try RawHTTPClient(port: server.port)
        let response = try client.request("GET", docsPaymentPath, headers: [("Authorization", "Bearer \(docsToken)")])
        #expect(response.status == 200)
        #expect(response.text.hasPrefix(#"{"data":{"id":"c6fda139-2480-4a93-95ed-f72c66b92364","type":"payment","attributes":{"status":"Processed""#))
        #expect(response.text.contains(#""self":"\#(server.origin)\#(docsPaymentPath)"}}}}"#))
        #expect(try client.request("GET", docsPaymentPath).status == 401)
        let token = try client.request("POST", "/oauth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                       body: "grant_type=client_credentials&client_id=sandbox_client_id&client_secret=sandbox_client_secret")
        #expect(token.status == 200)
        #expect(server.stop() == 0)
    }

    @Test func survivesGarbageOnTheWire() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let garbage = try RawHTTPClient(port: server.port)
        try garbage.send([0x00, 0xFF, 0x0D, 0x0A, 0x0D, 0x0A] + Array("NOT HTTP AT ALL\r\n\r\n".utf8))
        let client = try RawHTTPClient(port: server.port)
        #expect(try client.request("GET", "/__admin/health").status == 200)
    }

    @Test func oneVersionForTheBinaryTheTarballAndThePythonPackage() throws {
        let version = String(decoding: try #require(FileSystem.read(root + "/VERSION")), as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init)
        let result = ServerProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.output.split(whereSeparator: \.isNewline).first.map(String.init) == version)
        let pyproject = String(decoding: try #require(FileSystem.read(root + "/clients/python/pyproject.toml")), as: UTF8.self)
        #expect(pyproject.contains("version = \"\(version ?? "")\""), "clients/python/pyproject.toml says another version")
    }

    @Test func validateReportsLocatedErrorsAndExitsOne() throws {
        let path = "/tmp/k2mock-e2e-\(getpid()).yaml"
        let file = fopen(path, "w")
        fputs("version: 1\nclock: { mode: sideways }\n", file)
        fclose(file)
        defer { unlink(path) }
        let result = ServerProcess.run(["validate", path])
        #expect(result.status == 1)
        #expect(result.output.contains("\(path):2:16: clock.mode must be 'real' or 'manual'"))
        #expect(ServerProcess.run(["validate", "/nonexistent.yaml"]).status == 1)
    }

    @Test func anOversizedBodySentInFullGetsK2sRefusalNotAReset() throws {
        let server = try ServerProcess(arguments: [])
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        let size = 10_000_000
        try client.send(Array("POST /api/v1/payments HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: \(size)\r\n\r\n".utf8))
        let chunk = [UInt8](repeating: 0x20, count: 1 << 20)
        var sent = 0
        while sent < size {
            try client.send(Array(chunk[..<min(chunk.count, size - sent)]))
            sent += min(chunk.count, size - sent)
        }
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(response.text.hasPrefix(#"{"error_code":413,"error_message":"#), "\(response.text)")
        #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
    }

    @Test func aSecondServeOnAPortInUseExitsSayingSoInsteadOfSharingIt() throws {
        let first = try ServerProcess(arguments: [])
        defer { first.stop() }
        let second = ServerProcess.run(["serve", "--port", String(first.port)])
        #expect(second.status == 1)
        #expect(second.output.contains("cannot listen on 127.0.0.1:\(first.port): the address is already in use"), "\(second.output)")
        #expect(!second.output.contains("listening"))
    }

    @Test func refusesAnInvalidScenarioWithoutServing() {
        let result = ServerProcess.run(["serve", "--port", "0", "--scenario", "/nonexistent.yaml"])
        #expect(result.status == 1)
        #expect(result.output.contains("/nonexistent.yaml:1:1: cannot read the file"))
        #expect(!result.output.contains("listening"))
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// The repository root, from this file's path.
private let root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")

@Suite(.serialized) struct ScenarioServeTests {
    @Test func createsAPaymentAndAdvancesItOnAManualClock() throws {
        let server = try ServerProcess(arguments: ["--scenario", root + "/scenarios/happy-path.yaml"])
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        let auth = [("Authorization", "Bearer demo-token"), ("Content-Type", "application/json")]
        let created = try client.request("POST", "/api/v1/payments", headers: auth, body: #"""
            {"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":20000},"metadata":{},"_links":{"callback_url":"https://example.test/cb"}}
            """#)
        #expect(created.status == 201)
        let location = try #require(created.header("location"))
        #expect(location.hasPrefix(server.origin + "/api/v1/payments/"))
        let path = String(location.dropFirst(server.origin.count))
        #expect(try client.request("GET", path, headers: auth).text.contains(#""status":"Pending""#))
        let advanced = try client.request("POST", "/__admin/clock/advance", body: #"{"seconds":30}"#)
        #expect(advanced.text.contains(#""stage":"Transferred""#))
        let body = try client.request("GET", path, headers: auth).text
        #expect(body.contains(#""status":"Transferred","destination_type":"Mobile Wallet","origination_time":"2021-01-28T10:00:30.000+03:00""#))
    }
}

@Suite(.serialized) struct VerifyTests {
    @Test func verifyExitsZeroOnlyWhenEveryExpectationHolds() throws {
        let server = try ServerProcess(arguments: ["--scenario", root + "/scenarios/ci-pipeline.yaml"])
        defer { server.stop() }
        var result = ServerProcess.run(["verify", "--url", server.origin])
        #expect(result.status == 1)
        #expect(result.output.contains("failed: requests POST /api/v1/payments: expected 4, got 0"))
        #expect(result.output.contains("passed: callbacks outcome=failed: expected 0, got 0"))
        let client = try RawHTTPClient(port: server.port)
        let auth = [("Authorization", "Bearer ci-token"), ("Content-Type", "application/json")]
        let receiver = try CallbackReceiver()
        defer { receiver.stop() }
        let body = #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":5},"_links":{"callback_url":"\#(receiver.url())"}}"#
        let statuses = try (1...4).map { _ in try client.request("POST", "/api/v1/payments", headers: auth, body: body).status }
        #expect(statuses == [201, 201, 503, 201])
        _ = try client.request("POST", "/__admin/clock/advance", body: #"{"seconds":10}"#)
        result = ServerProcess.run(["verify", "--url", server.origin])
        #expect(result.status == 0, "\(result.output)")
        #expect(ServerProcess.run(["verify", "--url", "http://127.0.0.1:1"]).status == 2)
    }

    /// `verify --sandbox ID` checks that sandbox's expectations, not the server's own.
    @Test func verifyChecksOneSandbox() throws {
        let server = try ServerProcess(arguments: ["--scenario", root + "/scenarios/ci-pipeline.yaml"])
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        #expect(try client.request("POST", "/__admin/sandboxes", headers: [("Content-Type", "application/json")],
                                   body: #"{"name":"job-1"}"#).status == 201)
        let auth = [("Authorization", "Bearer ci-token-job-1"), ("Content-Type", "application/json")]
        let body = #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":5},"_links":{"callback_url":"http://127.0.0.1:9/x"}}"#
        for _ in 1...4 { _ = try client.request("POST", "/api/v1/payments", headers: auth, body: body) }
        let sandbox = ServerProcess.run(["verify", "--url", server.origin, "--sandbox", "job-1"])
        #expect(sandbox.output.contains("passed: [job-1] requests POST /api/v1/payments: expected 4, got 4"), "\(sandbox.output)")
        let own = ServerProcess.run(["verify", "--url", server.origin])
        #expect(own.output.contains("failed: requests POST /api/v1/payments: expected 4, got 0"), "the server's own saw none")
        let missing = ServerProcess.run(["verify", "--url", server.origin, "--sandbox", "job-2"])
        #expect(missing.status == 2)
        #expect(missing.output.contains("no sandbox job-2"))
        #expect(ServerProcess.run(["verify", "--url", server.origin, "--sandbox", "../x"]).status == 2)
    }

    @Test func verifyWritesJUnitXMLThatCISystemsRead() throws {
        let server = try ServerProcess(arguments: ["--scenario", root + "/scenarios/ci-pipeline.yaml"])
        defer { server.stop() }
        let path = "/tmp/k2mock-junit-\(getpid()).xml"
        defer { unlink(path) }
        let result = ServerProcess.run(["verify", "--url", server.origin, "--junit", path])
        #expect(result.status == 1)
        let xml = String(decoding: try #require(FileSystem.read(path)), as: UTF8.self)
        #expect(xml.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#))
        #expect(xml.contains(#"<testsuite name="k2mock expectations" tests="3" failures="2""#))
        #expect(xml.contains(#"<failure message="expected 4, got 0">requests POST /api/v1/payments: expected 4, got 0"#))
        #expect(xml.contains(#"<testcase classname="k2mock.expect" name="callbacks outcome=failed: expected 0, got 0"#))
    }

    @Test func verifySaysWhenTheAdminTokenIsMissingOrWrongWithItsOwnExitCode() throws {
        let server = try ServerProcess(arguments: ["--scenario", root + "/scenarios/ci-pipeline.yaml", "--admin-token", "s3cret"])
        defer { server.stop() }
        let missing = ServerProcess.run(["verify", "--url", server.origin])
        #expect(missing.status == 3)
        #expect(missing.output.contains("refused the admin token (none was given)"))
        let wrong = ServerProcess.run(["verify", "--url", server.origin, "--admin-token", "nope"])
        #expect(wrong.status == 3)
        #expect(wrong.output.contains("refused the admin token (it is wrong)"))
        #expect(ServerProcess.run(["verify", "--url", server.origin, "--admin-token", "s3cret"]).status == 1)
    }
}

@Suite(.serialized) struct AdminTokenServeTests {
    @Test func verifyPassesTheAdminToken() throws {
        let server = try ServerProcess(arguments: ["--scenario", root + "/scenarios/happy-path.yaml", "--admin-token", "t0k"])
        defer { server.stop() }
        #expect(try RawHTTPClient(port: server.port).request("GET", "/__admin/health").status == 401)
        // A refused admin token has its own exit status (3), not "unreachable" (2).
        #expect(ServerProcess.run(["verify", "--url", server.origin]).status == 3)
        let result = ServerProcess.run(["verify", "--url", server.origin, "--admin-token", "t0k"])
        #expect(result.status == 0)
        #expect(result.output.contains("no expectations in the scenario"))
    }

    /// `k2mock transcript diff` and `show` as a reviewer runs them: exit 0 on the same bytes, 1
    /// naming what differs (or saying it is only the form), 2 on what is not a transcript.
    @Test func transcriptDiffAndShowSayWhatDiffersWithTheirExitCodes() throws {
        let base = "/tmp/k2mock-e2e-transcript-\(getpid())"
        func write(_ name: String, _ text: String) -> String {
            let path = "\(base)-\(name).yaml"
            let file = fopen(path, "w")
            fputs(text, file)
            fclose(file)
            return path
        }
        let header = "format: k2mock-transcript/1\nsandbox: \"default\"\nseed: 5\nentries: 1\ndropped: 0\n"
        let entry = "---\nentry: 1\nat: \"2026-01-01T03:00:00.000+03:00\"\nkind: request\nmethod: \"POST\"\n"
            + "path: \"/api/v1/payments\"\nrequest_body: |-\n  {\n    \"amount\": 150\n  }\nstatus: 201\n"
        let a = write("a", header + entry), same = write("same", header + entry)
        let other = write("other", header + entry.replacingOccurrences(of: "150", with: "250"))
        let crlf = write("crlf", (header + entry).replacingOccurrences(of: "\n", with: "\r\n"))
        let older = write("older", (header + entry).replacingOccurrences(of: "/1", with: "/0"))
        let strange = write("strange", header + entry.replacingOccurrences(of: "/api/v1/payments", with: "/a\\nentry: 9"))
        defer { for path in [a, same, other, crlf, older, strange] { unlink(path) } }

        #expect(ServerProcess.run(["transcript", "diff", a, same]).status == 0)
        let differs = ServerProcess.run(["transcript", "diff", a, other])
        #expect(differs.status == 1)
        #expect(differs.output.contains("entry 1, POST /api/v1/payments: request_body.amount: 150 → 250"))
        let form = ServerProcess.run(["transcript", "diff", a, crlf])
        #expect(form.status == 1 && form.output.contains("only in form"))
        let old = ServerProcess.run(["transcript", "diff", older, a])
        #expect(old.status == 2 && old.output.contains("format k2mock-transcript/0: this k2mock reads k2mock-transcript/1"))
        #expect(ServerProcess.run(["transcript", "diff", a, "/nonexistent.yaml"]).status == 2)
        #expect(ServerProcess.run(["transcript", "diff", a, "/tmp"]).status == 2)
        #expect(ServerProcess.run(["transcript", "diff", a]).status == 64)

        let shown = ServerProcess.run(["transcript", "show", strange])
        #expect(shown.status == 0)
        let lines = shown.output.split(separator: "\n")
        #expect(lines.count == 2, "a header line and one line per entry, whatever the path holds: \(lines)")
        #expect(lines.last?.contains("POST /a\\u000aentry: 9 → 201") == true, "\(lines)")
    }

    /// What a new user meets first: a directory given to validate, a bad --url given to verify.
    @Test func usageMistakesSayWhatToDoWithTheirSubcommandsUsage() {
        let directory = ServerProcess.run(["validate", "/tmp"])
        #expect(directory.status == 1 && directory.output.contains("/tmp:1:1: is a directory"), "\(directory.output)")
        let verify = ServerProcess.run(["verify", "--url", "nonsense"])
        #expect(verify.status == 64)
        #expect(verify.output.contains("Usage: k2mock verify") && !verify.output.contains("Usage: k2mock serve"), "\(verify.output)")
        #expect(ServerProcess.run(["--help"]).output.contains("64 for a usage error"))
    }
}
