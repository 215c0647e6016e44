import K2MockServer
import K2Sandbox
import MicroHTTP
import OrderedJSON
import Testing

private let auth = [("Authorization", "Bearer \(docsToken)"), ("Content-Type", "application/json")]
private let payment = #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":5},"_links":{"callback_url":"https://cb.test"}}"#

@Suite struct FaultsAndExpectationsTests {
    @Test func theNthMatchingRequestGetsTheFaultAndHasNoEffect() async throws {
        let server = makeServer { $0.faults = [Fault(method: "POST", path: "/api/v1/payments", nth: 2, status: 503)] }
        let statuses = await [1, 2, 3].asyncMap { _ in await server.send("POST", "/api/v1/payments", headers: auth, body: payment).status }
        #expect(statuses == [201, 503, 201])
        let refused = await server.send("POST", "/api/v1/payments", headers: auth, body: payment)
        #expect(refused.status == 201)
        let journal = await server.send("GET", "/__admin/requests").json?.arrayValue ?? []
        #expect(journal.map { $0["status"] } == [201, 503, 201, 201])
        #expect(journal.allSatisfy { $0["path"] == "/api/v1/payments" && $0["method"] == "POST" })
        _ = await server.advance(10)
        #expect(await server.send("GET", "/__admin/callbacks").json?.arrayValue?.count == 3, "the 503 created nothing")
    }

    @Test func aFaultCanCarryItsOwnBodyAndALatency() async {
        let server = makeServer { $0.faults = [Fault(path: "/api/v1/payments/*", status: 429, body: #"{"error_code":429,"error_message":"slow down"}"#, latency: TimeSpan(milliseconds: 1))] }
        let response = await server.send("GET", "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364", headers: auth)
        #expect(response.status == 429)
        #expect(response.json?["error_message"] == "slow down")
        #expect(await server.send("GET", "/__admin/health").status == 200, "admin paths are never faulted")
    }

    @Test func expectationsReportPassAndFail() async throws {
        let server = makeServer { scenario in
            scenario.expectations = [
                Expectation(subject: .requests(method: "POST", path: "/api/v1/payments"), count: 2, source: "s:1"),
                Expectation(subject: .callbacks(outcome: "delivered", kind: nil, url: nil), count: 1, source: "s:2"),
            ]
        }
        _ = try await server.create("/api/v1/payments", payment)
        var report = await server.send("GET", "/__admin/expectations").json
        #expect(report?["passed"] == false)
        #expect(report?["results"]?.arrayValue?.map { $0["actual"] } == [1, 0])
        _ = try await server.create("/api/v1/payments", #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":5}}"#)
        _ = await server.advance(10)
        report = await server.send("GET", "/__admin/expectations").json
        #expect(report?["passed"] == true)
        #expect(report?["results"]?.arrayValue?.first?["description"] == "requests POST /api/v1/payments: expected 2, got 2 (s:1)")
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async -> T) async -> [T] {
        var out: [T] = []
        for element in self { out.append(await transform(element)) }
        return out
    }
}
