import K2MockServer
import K2Sandbox
import Locking
import MicroHTTP
import OrderedJSON
import Testing

/// Many sandboxes in one server: made over the admin API, found by the credentials and tokens
/// the app sends, isolated from each other, and byte-identical to the same flow run alone.
@Suite struct SandboxesTests {
    private let json = [("Content-Type", "application/json")]

    /// What one sandbox's flow saw, to compare with the same flow run alone.
    private struct Flow: Equatable {
        var token: String
        var location: String
        var pending: String
        var transferred: String
        var callbacks: String
        var clock: String
    }

    private func make(_ server: K2MockServer, _ body: String) async -> HTTPResponse {
        await server.send("POST", "/__admin/sandboxes", headers: json, body: body)
    }

    /// Makes sandbox `name`, gets a token with its credentials, pays with a callback, reads the
    /// payment, advances its clock 10 s, reads it again and its journal.
    private func flow(_ server: K2MockServer, _ name: String) async throws -> Flow {
        let made = await make(server, #"{"name":"\#(name)","seed":7,"clock":"manual"}"#)
        try #require(made.status == 201, "\(made.text)")
        let sandbox = try #require(made.json)
        #expect(made.headers["location"] == "http://127.0.0.1:8080/__admin/sandboxes/\(name)")
        let client = try #require(sandbox["credentials"]?.arrayValue?.first)
        let id = try #require(client["client_id"]?.stringValue), secret = try #require(client["client_secret"]?.stringValue)
        let issued = await server.send("POST", "/oauth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                       body: "grant_type=client_credentials&client_id=\(id)&client_secret=\(secret)")
        let token = try #require(issued.json?["access_token"]?.stringValue, "\(issued.text)")
        let auth = json + [("Authorization", "Bearer \(token)")]
        let created = await server.send("POST", "/api/v1/payments", headers: auth, body: """
            {"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747",
             "amount":{"currency":"KES","value":20000},"metadata":{"worker":"\(name)"},"_links":{"callback_url":"https://cb.test/\(name)"}}
            """)
        try #require(created.status == 201, "\(created.text)")
        let location = try #require(created.headers["location"])
        let path = String(location.dropFirst("http://127.0.0.1:8080".count))
        let pending = await server.send("GET", path, headers: auth).text
        let advanced = await server.send("POST", "/__admin/sandboxes/\(name)/clock/advance", headers: json, body: #"{"seconds":10}"#)
        #expect(advanced.status == 200, "\(advanced.text)")
        let transferred = await server.send("GET", path, headers: auth).text
        let callbacks = await server.send("GET", "/__admin/sandboxes/\(name)/callbacks").text
        let clock = await server.send("GET", "/__admin/sandboxes/\(name)/clock").text
        return Flow(token: token, location: location, pending: pending, transferred: transferred, callbacks: callbacks, clock: clock)
    }

    @Test func eightSandboxesAtOnceAreIsolatedAndEachAnswersAsItWouldAlone() async throws {
        let transport = FakeTransport()
        let server = makeServer(transport: transport)
        let names = (1...8).map { "worker-\($0)" }
        let flows = try await withThrowingTaskGroup(of: (String, Flow).self) { group in
            for name in names { group.addTask { (name, try await flow(server, name)) } }
            var flows: [String: Flow] = [:]
            for try await (name, flow) in group { flows[name] = flow }
            return flows
        }
        #expect(Set(flows.values.map(\.token)).count == 8, "every sandbox draws its own tokens")
        #expect(Set(flows.values.map(\.location)).count == 8, "and its own ids")
        for name in names {
            let flow = try #require(flows[name])
            #expect(flow.pending.contains(#""status":"Pending""#))
            #expect(flow.transferred.contains(#""status":"Transferred""#))
            #expect(flow.clock.contains(#""now":"2021-01-28T10:00:10.000+03:00""#), "moved only by its own advance: \(flow.clock)")
            // The same flow in a server of its own gives the same bytes.
            let alone = try await self.flow(makeServer(), name)
            #expect(alone == flow, "\(name) alone differs")
            // Each callback went to its own receiver, signed with its own sandbox's api key.
            let sent = transport.sent.filter { $0.url == "https://cb.test/\(name)" }
            #expect(sent.count == 1)
            let signature = try #require(sent.first?.headers.first { $0.name == "X-KopoKopo-Signature" }?.value)
            #expect(signature == kopoKopoSignature(body: sent[0].body, apiKey: "sandbox_api_key-\(name)"))
            #expect(signature != kopoKopoSignature(body: sent[0].body, apiKey: "sandbox_api_key"))
        }
        // A token of one sandbox reads nothing of another: its ids answer 404, as another merchant's would.
        let one = try #require(flows["worker-1"]), two = try #require(flows["worker-2"])
        let path = String(two.location.dropFirst("http://127.0.0.1:8080".count))
        #expect(await server.send("GET", path, headers: [("Authorization", "Bearer \(one.token)")]).status == 404)
        #expect(await server.send("GET", "/__admin/sandboxes/worker-1/resources").text.contains("worker-2") == false)
        // The server's own sandbox is untouched: the docs' GET, its clock, its journals.
        let docs = await server.send("GET", docsPaymentPath, headers: [("Authorization", "Bearer \(docsToken)")])
        #expect(docs.status == 200)
        #expect(docs.text == docsBody.replacingOccurrences(of: "https://sandbox.kopokopo.com", with: "http://127.0.0.1:8080"))
        #expect(await server.send("GET", "/__admin/clock").text.contains(#""now":"2021-01-28T10:00:00.000+03:00""#))
        #expect(await server.send("GET", "/__admin/callbacks").text == "[]")
        // A deleted sandbox's token answers 401 from then on; its admin paths 404, saying why.
        let deleted = await server.send("DELETE", "/__admin/sandboxes/worker-3")
        #expect(deleted.status == 200)
        let three = try #require(flows["worker-3"])
        let gone = await server.send("GET", String(three.location.dropFirst("http://127.0.0.1:8080".count)),
                                     headers: [("Authorization", "Bearer \(three.token)")])
        #expect(gone.status == 401)
        let admin = await server.send("GET", "/__admin/sandboxes/worker-3/clock")
        #expect(admin.status == 404)
        #expect(admin.text.contains("worker-3 was deleted"))
        #expect(await server.send("GET", "/__admin/sandboxes").json?.arrayValue?.count == 7)
    }

    @Test func aSandboxsCredentialsAndTokensAreItsOwnAndTheSameEveryRun() async throws {
        let server = makeServer()
        let made = await make(server, #"{"name":"ci-7"}"#)
        #expect(made.status == 201)
        let entry = try #require(made.json)
        #expect(entry["id"] == "ci-7")
        #expect(entry["credentials"]?.arrayValue?.first?["client_id"] == "sandbox_client_id-ci-7")
        #expect(entry["credentials"]?.arrayValue?.first?["api_key"] == "sandbox_api_key-ci-7")
        #expect(entry["tokens"]?.arrayValue?.first?["value"] == .string(docsToken + "-ci-7"))
        #expect(entry["admin"] == "http://127.0.0.1:8080/__admin/sandboxes/ci-7")
        // Its pre-issued token reads its own copy of the docs' payment.
        let docs = await server.send("GET", docsPaymentPath, headers: [("Authorization", "Bearer \(docsToken)-ci-7")])
        #expect(docs.status == 200)
        // The server's client id is not one of its: a token for it comes from the server's own sandbox.
        let again = await makeServer().send("POST", "/__admin/sandboxes", headers: json, body: #"{"name":"ci-7"}"#)
        #expect(again.json?["credentials"] == entry["credentials"])
        // Unnamed sandboxes are numbered.
        #expect(await make(server, "").json?["id"] == "sandbox-1")
        #expect(await make(server, "{}").json?["id"] == "sandbox-2")
    }

    @Test func badInputIsRefusedAndLeavesNothingHalfMade() async throws {
        let server = K2MockServer(sandbox: Sandbox(scenario: DefaultScenario.load()), transport: FakeTransport(), maxSandboxes: 2)
        func refused(_ body: String, _ status: Int, _ words: String..., sourceLocation: SourceLocation = #_sourceLocation) async {
            let answer = await make(server, body)
            #expect(answer.status == status, "\(body): \(answer.text)", sourceLocation: sourceLocation)
            #expect(answer.json?["error_code"] == .int(status), sourceLocation: sourceLocation)
            for word in words {
                #expect(answer.json?["error_message"]?.stringValue?.contains(word) == true, "\(answer.text) lacks \(word)",
                        sourceLocation: sourceLocation)
            }
        }
        await refused(#"{"name":"x","scenario_yaml":"clock: [unclosed"}"#, 400, "scenario_yaml:2:1", "not valid YAML")
        await refused(#"{"name":"x","scenario_yaml":"clock:\n  mode: sometimes\n"}"#, 400, "scenario_yaml:2:9", "clock.mode")
        await refused(#"{"name":"x","scenario":"/no/such/scenario.yaml"}"#, 400, "/no/such/scenario.yaml")
        await refused(#"{"name":"x","scenario":"a.yaml","scenario_yaml":"{}"}"#, 400, "not both")
        await refused(#"{"name":"no spaces"}"#, 400, "name")
        await refused(#"{"name":"x","colour":"red"}"#, 400, "colour")
        await refused(#"{"seed":-1}"#, 400, "seed")
        await refused(#"{"clock":"sundial"}"#, 400, "clock")
        await refused(#"{"ttl":"soon"}"#, 400, "ttl")
        await refused(#"{"time_scale":0}"#, 400, "time_scale")
        await refused("[1]", 400, "object")
        await refused("{", 400, "Malformed JSON")
        // YAML aliases that would expand a few hundred bytes into millions of values.
        let bomb = #"version: 1\nevents:\n  - at: 1s\n    topic: buygoods_transaction_received\n    resource:\n      a: &a [1,1,1,1,1,1,1,1,1]\n      b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n      c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n      d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n      e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n      f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"#
        await refused(#"{"name":"x","scenario_yaml":"\#(bomb)"}"#, 400, "more than 100000 values")
        // Nothing of a refused sandbox is left: its name is free.
        #expect(await server.send("GET", "/__admin/sandboxes/x").status == 404)
        #expect(await make(server, #"{"name":"x"}"#).status == 201)
        await refused(#"{"name":"x"}"#, 409, "x")
        #expect(await make(server, #"{"name":"y"}"#).status == 201)
        await refused(#"{"name":"z"}"#, 429, "--max-sandboxes")
        // Unknown ids answer 404 everywhere.
        #expect(await server.send("GET", "/__admin/sandboxes/nope").status == 404)
        #expect(await server.send("DELETE", "/__admin/sandboxes/nope").status == 404)
        #expect(await server.send("POST", "/__admin/sandboxes/nope/clock/advance", body: #"{"seconds":1}"#).status == 404)
        // Errors under a sandbox name the path as it was asked.
        let wrong = await server.send("POST", "/__admin/sandboxes/x/clock")
        #expect(wrong.status == 405)
        #expect(wrong.text.contains("/__admin/sandboxes/x/clock"), "\(wrong.text)")
        // Deleting frees a place.
        #expect(await server.send("DELETE", "/__admin/sandboxes/y").status == 200)
        #expect(await make(server, #"{"name":"z"}"#).status == 201)
    }

    /// The server's own tokens and clients are taken: a sandbox whose personalised token would
    /// be one of them is refused, rather than steal its requests.
    @Test func aSandboxCannotTakeTheServersOwnTokens() async throws {
        let server = makeServer { scenario in
            scenario.tokens.append(.init(value: "ci-token", clientID: "sandbox_client_id"))
        }
        let yaml = #"version: 1\ncredentials:\n  - {client_id: zz, client_secret: zz, api_key: zz}\ntokens:\n  - {value: ci, client_id: zz}\n"#
        let taken = await make(server, #"{"name":"token","scenario_yaml":"\#(yaml)"}"#)
        #expect(taken.status == 409, "\(taken.text)")
        #expect(await server.send("GET", docsPaymentPath, headers: [("Authorization", "Bearer ci-token")]).status == 200)
    }

    @Test func anIdleSandboxEndsAfterItsTTL() async throws {
        let wall = Locked<UInt64>(0)
        let server = K2MockServer(sandbox: Sandbox(scenario: DefaultScenario.load()), transport: FakeTransport(),
                                  monotonic: { wall.withLock { $0 } })
        #expect(await make(server, #"{"name":"brief","ttl":"1m"}"#).status == 201)
        #expect(await make(server, #"{"name":"forever"}"#).status == 201)
        wall.withLock { $0 = 50_000_000_000 }
        #expect(server.hub.endExpired() == [])
        // A request to it counts as use.
        #expect(await server.send("GET", "/__admin/sandboxes/brief/clock").status == 200)
        wall.withLock { $0 = 100_000_000_000 }
        #expect(server.hub.endExpired() == [], "used 50 s ago")
        wall.withLock { $0 = 111_000_000_000 }
        #expect(server.hub.endExpired() == ["brief"])
        let gone = await server.send("GET", "/__admin/sandboxes/brief")
        #expect(gone.status == 404)
        #expect(gone.text.contains("idle past its ttl"))
        #expect(await server.send("GET", "/__admin/sandboxes/forever").status == 200)
    }

    @Test func oauthRequestsFindTheirSandboxByClientOrToken() async throws {
        let server = makeServer()
        _ = await make(server, #"{"name":"a"}"#)
        let form = [("Content-Type", "application/x-www-form-urlencoded")]
        let issued = await server.send("POST", "/oauth/token", headers: form,
                                       body: "grant_type=client_credentials&client_id=sandbox_client_id-a&client_secret=sandbox_client_secret-a")
        let token = try #require(issued.json?["access_token"]?.stringValue)
        // Its secret is its own: the server's secret with its client id is refused.
        let wrong = await server.send("POST", "/oauth/token", headers: form,
                                      body: "grant_type=client_credentials&client_id=sandbox_client_id-a&client_secret=sandbox_client_secret")
        #expect(wrong.status == 401)
        #expect(await server.send("POST", "/oauth/introspect", headers: form, body: "token=\(token)").json?["active"] == true)
        let info = await server.send("GET", "/oauth/token/info", headers: [("Authorization", "Bearer \(token)")])
        #expect(info.status == 200)
        #expect(await server.send("POST", "/oauth/revoke", headers: form, body: "token=\(token)").status == 200)
        let revoked = await server.send("GET", docsPaymentPath, headers: [("Authorization", "Bearer \(token)")])
        #expect(revoked.status == 401)
        #expect(revoked.text.contains("revoked"))
        // Requests land in their sandbox's journal, not the server's.
        #expect(await server.send("GET", "/__admin/sandboxes/a/requests").json?.arrayValue?.count == 6)
        #expect(await server.send("GET", "/__admin/requests").json?.arrayValue?.isEmpty == true)
    }
}
