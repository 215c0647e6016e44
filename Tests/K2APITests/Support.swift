import K2MockServer
import K2Sandbox
import MicroHTTP
import OrderedJSON
import Locking

let docsToken = "0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q"
let docsPaymentPath = "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364"
let docsBody = #"{"data":{"id":"c6fda139-2480-4a93-95ed-f72c66b92364","type":"payment","attributes":{"status":"Processed","created_at":"2021-01-28T10:00:17.827+03:00","amount":{"currency":"KES","value":20000},"transfer_batches":[{"status":"Transferred","disbursements":[{"amount":"20000.0","status":"Transferred","destination_type":"Mobile Wallet","origination_time":"2020-11-13T08:32:03.000+03:00","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","transaction_reference":"LBA10034460"}]}],"metadata":{"notes":"Salary payment for May 2018","customerId":"8675309","something_else":"Something else"},"_links":{"callback_url":"https://webhook.site/3856ff77-93eb-4130-80cd-e62dc0db5c1a","self":"https://sandbox.kopokopo.com/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364"}}}}"#

/// The default scenario on a manual clock, served in-process (no socket), delivering callbacks
/// to `transport`.
func makeServer(transport: FakeTransport = FakeTransport(), _ adjust: (inout Scenario) -> Void = { _ in }) -> K2MockServer {
    var scenario = DefaultScenario.load()
    scenario.clock = .init(mode: .manual, start: Timestamp(iso8601: "2021-01-28T10:00:00+03:00"))
    adjust(&scenario)
    return K2MockServer(sandbox: Sandbox(scenario: scenario), transport: transport)
}

/// Records every delivery and answers with scripted statuses per URL (nil: connection refused);
/// 200 once a URL's script runs out.
final class FakeTransport: CallbackTransport {
    private let state = Locked<(sent: [DeliveryJob], scripts: [String: [Int?]])>(([], [:]))

    func script(_ url: String, _ statuses: [Int?]) {
        state.withLock { $0.scripts[url] = statuses }
    }

    var sent: [DeliveryJob] { state.withLock { $0.sent } }

    func send(_ job: DeliveryJob) async -> DeliveryResult {
        let status: Int? = state.withLock { state in
            state.sent.append(job)
            guard var script = state.scripts[job.url], !script.isEmpty else { return 200 }
            let next = script.removeFirst()
            state.scripts[job.url] = script
            return next
        }
        return DeliveryResult(status: status, error: status == nil ? "Couldn't connect to server" : nil, latencyMilliseconds: 1)
    }
}

extension K2MockServer {
    func send(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: String = "",
        query: [(String, String)] = []
    ) async -> HTTPResponse {
        var fields = HTTPHeaders()
        if !headers.contains(where: { $0.0 == "Host" }) { fields.add("Host", "127.0.0.1:8080") }
        for (name, value) in headers { fields.add(name, value) }
        let request = HTTPRequest(method: method, path: path, query: query.map { (name: $0.0, value: $0.1) },
                                  headers: fields, body: Array(body.utf8))
        switch handle(request) {
        case .respond(let response): return response
        case .deferred(let work), .committed(let work): return await work()
        case .stream(let head, let stream):
            // In-process, a stream answers what it has sent so far.
            stream.close()
            return head
        }
    }

    func issueToken() async throws -> String {
        let response = await send("POST", "/oauth/token",
                                  headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                  body: "grant_type=client_credentials&client_id=sandbox_client_id&client_secret=sandbox_client_secret")
        guard response.status == 200, let token = try JSON.parse(response.body)["access_token"]?.stringValue else {
            throw TestFailure("token request failed: \(response.status) \(response.text)")
        }
        return token
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSON? { try? JSON.parse(body) }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
