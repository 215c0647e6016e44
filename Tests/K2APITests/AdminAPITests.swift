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
