import K2MockTesting
import K2Sandbox
import MicroHTTP
import Testing

private let root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")

private func file(_ path: String) -> String? {
    FileSystem.read(root + "/" + path).map { String(decoding: $0, as: UTF8.self) }
}

/// The dashboard (`GET /__admin/`) and its change stream (`GET /__admin/stream`), over a socket.
@Suite struct DashboardTests {
    @Test func thePageIsServedFromTheBinarySmallAndSelfContained() async throws {
        try await withSandbox { sandbox in
            var total = 0
            for (path, type, source) in [("/__admin/", "text/html", "dashboard/index.html"),
                                         ("/__admin/dashboard.css", "text/css", "dashboard/dashboard.css"),
                                         ("/__admin/dashboard.js", "text/javascript", "dashboard/dashboard.js")] {
                let response = try await sandbox.request("GET", path)
                #expect(response.status == 200, "\(path)")
                #expect(response.header("Content-Type")?.hasPrefix(type) == true, "\(path)")
                let text = try #require(file(source), "\(source) is missing")
                #expect(response.text == String(text.dropLast(text.hasSuffix("\n") ? 1 : 0)),
                        "\(source) differs from the embedded copy: run scripts/embed-dashboard.py")
                #expect(!response.text.contains("http://") && !response.text.contains("https://") || path != "/__admin/",
                        "the page loads nothing from elsewhere")
                total += response.body.count
            }
            #expect(total < 150_000, "the dashboard is \(total) bytes")
            #expect(sandbox.requests().isEmpty, "dashboard requests are not K2 API requests")
        }
    }

    @Test func theStreamTellsCreatesStageChangesDeliveriesAdvancesAndResets() async throws {
        try await withSandbox(.file(root + "/scenarios/happy-path.yaml")) { sandbox in
            let stream = try await offThePool { try RawHTTPClient(port: sandbox.port) }
            try stream.send(Array("GET /__admin/stream HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
            let head = try await offThePool { try stream.read(until: ": k2mock changes\n\n") }
            #expect(head.hasPrefix("HTTP/1.1 200"))
            #expect(head.contains("Content-Type: text/event-stream"))

            let payment = #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":100},"_links":{"callback_url":"http://127.0.0.1:9/k2"}}"#
            let created = try await sandbox.request("POST", "/api/v1/payments", headers: [
                ("Authorization", "Bearer demo-token"), ("Content-Type", "application/json")], body: payment)
            let id = try #require(created.header("location")?.split(separator: "/").last.map(String.init))
            var told = try await offThePool { try stream.read(until: "\"stage\":\"Pending\"") }
            #expect(told.contains("event: resource\ndata: {\"kind\":\"payment\",\"id\":\"\(id)\""))

            try await sandbox.advance(seconds: 60)
            told = try await offThePool { try stream.read(until: "event: clock\ndata: {\"now\":\"2021-01-28T10:01:00.000+03:00\"}") }
            #expect(told.contains("\"stage\":\"Transferred\""))
            #expect(told.contains("event: delivery\ndata: {\"id\":1,\"outcome\":\"pending\",\"attempts\":0}"))
            #expect(told.contains("event: request\ndata: {\"method\":\"POST\",\"path\":\"/api/v1/payments\",\"status\":201"))

            sandbox.reset()
            _ = try await offThePool { try stream.read(until: "event: reset\ndata: {}\n\n") }
        }
    }

    @Test func withAnAdminTokenTheStreamAndDataNeedItButThePageDoesNot() async throws {
        try await withSandbox(adminToken: "s3cret") { sandbox in
            #expect(try await sandbox.request("GET", "/__admin/").status == 200)
            #expect(try await sandbox.request("GET", "/__admin/dashboard.js").status == 200)
            for path in ["/__admin/stream", "/__admin/resources", "/__admin/kinds", "/__admin/topics"] {
                let refused = try await sandbox.request("GET", path)
                #expect(refused.status == 401, "\(path)")
                #expect(refused.text.contains(#""error_code":401"#))
            }
            let stream = try await offThePool { try RawHTTPClient(port: sandbox.port) }
            try stream.send(Array("GET /__admin/stream HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer s3cret\r\n\r\n".utf8))
            #expect(try await offThePool { try stream.read(until: ": k2mock changes\n\n") }.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func kindsAndTopicsComeFromTheRegistry() async throws {
        try await withSandbox { sandbox in
            let kinds = try await sandbox.request("GET", "/__admin/kinds").text
            #expect(kinds.hasPrefix(#"[{"kind":"payment","stages":["Pending","Processed","Transferred","Failed"],"final":["Transferred","Failed"]}"#))
            #expect(!kinds.contains("pay_recipient"), "kinds without stages are not listed")
            let topics = try await sandbox.request("GET", "/__admin/topics").text
            #expect(topics.contains(#""buygoods_transaction_received""#))
        }
    }

    @Test func journalsTakeALimitAndCallbacksAResourceAndRefuseNonsense() async throws {
        try await withSandbox(.file(root + "/scenarios/happy-path.yaml")) { sandbox in
            let auth = [("Authorization", "Bearer demo-token"), ("Content-Type", "application/json")]
            var ids: [String] = []
            for _ in 0..<3 {
                let created = try await sandbox.request("POST", "/api/v1/payments", headers: auth, body: #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":100},"_links":{"callback_url":"http://127.0.0.1:9/k2"}}"#)
                ids.append(try #require(created.header("location")?.split(separator: "/").last.map(String.init)))
            }
            try await sandbox.advance(seconds: 30)
            let two = try await sandbox.request("GET", "/__admin/requests?limit=2")
            #expect(two.status == 200 && two.text.ranges(of: "\"method\"").count == 2)
            let one = try await sandbox.request("GET", "/__admin/callbacks?resource_id=\(ids[0].uppercased())")
            #expect(one.text.contains(ids[0]) && !one.text.contains(ids[1]), "one resource's deliveries, its id in any case")
            for bad in ["-1", "abc", "1e3", "+2", "%202", "0x2", "99999999999"] {
                let refused = try await sandbox.request("GET", "/__admin/callbacks?limit=\(bad)")
                #expect(refused.status == 400, "limit=\(bad)")
                #expect(refused.text.contains("limit must be a whole number"))
            }
            #expect(try await sandbox.request("GET", "/__admin/requests?limit=0").text == "[]")
        }
    }

    @Test func requestEventsAreThrottledButTheLatestOneStillArrives() async throws {
        try await withSandbox(.file(root + "/scenarios/happy-path.yaml")) { sandbox in
            let stream = try await offThePool { try RawHTTPClient(port: sandbox.port) }
            try stream.send(Array("GET /__admin/stream HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
            _ = try await offThePool { try stream.read(until: ": k2mock changes\n\n") }
            for index in 1...5 {
                _ = try await sandbox.request("GET", "/api/v1/payments/burst-\(index)", headers: [("Authorization", "Bearer demo-token")])
            }
            // The first goes out at once and the last, however close behind, arrives too (when its
            // 250 ms window ends). Which ones between are dropped depends on wall time, so that is
            // not asserted here.
            let told = try await offThePool { try stream.read(until: "burst-5") }
            #expect(told.contains("burst-1"))
        }
    }

    @Test func theAdminTokenSchemeIsCaseInsensitiveAndItsRealmIsK2mocks() async throws {
        try await withSandbox(adminToken: "s3cret") { sandbox in
            #expect(try await sandbox.request("GET", "/__admin/health", headers: [("Authorization", "bearer s3cret")]).status == 200)
            let refused = try await sandbox.request("GET", "/__admin/health", headers: [("Authorization", "Bearer nope")])
            #expect(refused.status == 401)
            #expect(refused.header("WWW-Authenticate")?.hasPrefix(#"Bearer realm="k2mock admin""#) == true)
        }
    }

    @Test func oneAdvanceMovesTheClockAtMostAbout317Years() async throws {
        try await withSandbox { sandbox in
            let within = try await sandbox.request("POST", "/__admin/clock/advance", body: #"{"seconds":10000000000}"#)
            #expect(within.status == 200)
            let beyond = try await sandbox.request("POST", "/__admin/clock/advance", body: #"{"seconds":10000000001}"#)
            #expect(beyond.status == 400)
            #expect(beyond.text.contains("from 0 to 10000000000"))
            await #expect(throws: TestSandboxError.invalidAdvance(2e10)) { try await sandbox.advance(seconds: 2e10) }
        }
    }
}
