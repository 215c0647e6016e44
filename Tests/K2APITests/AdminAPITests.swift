import K2MockServer
import K2Sandbox
import MicroHTTP
import OrderedJSON
import Testing

@Suite struct AdminAPITests {
    @Test func clockAdvancesAndResets() async {
        let server = makeServer()
        let clock = await server.send("GET", "/__admin/clock")
        #expect(clock.text == #"{"now":"2021-01-28T10:00:00.000+03:00","mode":"manual","scale":1.0}"#)
        let advanced = await server.send("POST", "/__admin/clock/advance", body: #"{"seconds": 90.5}"#)
        #expect(advanced.json?["now"] == "2021-01-28T10:01:30.500+03:00")
        let reset = await server.send("POST", "/__admin/reset")
        #expect(reset.json?["now"] == "2021-01-28T10:00:00.000+03:00")
    }

    @Test(arguments: [#"{"seconds": -1}"#, #"{"secs": 1}"#, "{", #"{"seconds": "x"}"#])
    func advanceRefusesBadBodies(_ body: String) async {
        let response = await makeServer().send("POST", "/__admin/clock/advance", body: body)
        #expect(response.status == 400)
        #expect(response.json?["error_code"] == 400)
    }

    @Test func resourcesListsFixturesThenCreatedOnesWithTheBodiesTheirGETsAnswer() async throws {
        let server = makeServer()
        let path = try await server.create("/api/v1/payments", #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":100},"_links":{"callback_url":"https://receiver.test/k2"}}"#)
        _ = await server.advance(5)
        let listed = try #require(await server.send("GET", "/__admin/resources").json?.arrayValue)
        let docs = try #require(listed.first { $0["path"] == .string(docsPaymentPath) })
        #expect(docs["kind"] == "payment" && docs["stage"] == .null && docs["created_at"] == .null)
        #expect(docs["body"] == JSON.object(try #require(JSON.parse(Array(docsBody.utf8)).objectValue))
                    .replacingSelfLink(with: "http://127.0.0.1:8080" + docsPaymentPath))
        let created = try #require(listed.last)
        #expect(created["path"] == .string(path))
        #expect(created["stage"] == "Transferred")
        #expect(created["created_at"] == "2021-01-28T10:00:00.000+03:00")
        let get = await server.send("GET", path, headers: [("Authorization", "Bearer \(docsToken)")])
        #expect(created["body"] == get.json, "the body its GET answers, self link included")
        #expect(listed.firstIndex { $0["path"] == .string(path) } == listed.count - 1, "fixtures first, created last")
    }

    @Test func healthNeedsNoToken() async {
        let response = await makeServer().send("GET", "/__admin/health")
        #expect(response.status == 200)
        #expect(response.json?["status"] == "ok")
    }
}

@Suite struct AdminTokenTests {
    @Test func anAdminTokenGuardsTheAdminAPIOnly() async {
        var scenario = DefaultScenario.load()
        scenario.clock = .init(mode: .manual, start: Timestamp(iso8601: "2021-01-28T10:00:00+03:00"))
        let server = K2MockServer(sandbox: Sandbox(scenario: scenario), transport: FakeTransport(), adminToken: "s3cret")
        #expect(await server.send("GET", "/__admin/health").status == 401)
        #expect(await server.send("GET", "/__admin/health", headers: [("Authorization", "Bearer wrong")]).status == 401)
        #expect(await server.send("POST", "/__admin/reset", headers: [("Authorization", "Bearer s3cre")]).status == 401)
        #expect(await server.send("GET", "/__admin/health", headers: [("Authorization", "Bearer s3cret")]).status == 200)
        #expect(await server.send("GET", docsPaymentPath, headers: [("Authorization", "Bearer \(docsToken)")]).status == 200)
    }
}

private extension JSON {
    /// The document with `data.attributes._links.self` set to `url`.
    func replacingSelfLink(with url: String) -> JSON {
        guard var root = objectValue, var data = root["data"]?.objectValue, var attributes = data["attributes"]?.objectValue,
              var links = attributes["_links"]?.objectValue else { return self }
        links["self"] = .string(url)
        attributes["_links"] = .object(links)
        data["attributes"] = .object(attributes)
        root["data"] = .object(data)
        return .object(root)
    }
}
