import K2MockServer
import K2Sandbox
import MicroHTTP
import OrderedJSON
import Testing

/// Bad input never crashes and never loses state: seeded random garbage at every endpoint.
@Suite struct RobustnessTests {
    /// Every create of the registry's kinds, OAuth, and the admin endpoints that take a body.
    private static let posts = ["/oauth/token", "/oauth/revoke", "/oauth/introspect"]
        + KindRegistry.standard.definitions.flatMap { definition in
            definition.createVersions.map { "/api/v\($0)/\(definition.collection)" }
        }
        + ["/__admin/clock/advance", "/__admin/events", "/__admin/transcript/diff"]

    /// Values of every JSON kind, including the awkward ones.
    private static let values: [JSON] = [
        .null, true, 0, -1, .number("1e400"), .number("99999999999999999999999"), .number("0.000001"), "", "x",
        "\u{0}\u{7}", "𝄞é", .string(String(repeating: "a", count: 5000)), [], [nil], [:], ["value": "1"],
        ["currency": "KES", "value": 10], ["phone_number": "+254999999999"], [["type": "till", "amount": 1]],
    ]

    /// Every key a kind's create reads (its request schema), and those of OAuth and the admin API.
    private static let keys = Array(Set(KindRegistry.standard.definitions.flatMap { definition in
        definition.requestSchema["properties"]?.objectValue?.keys ?? []
    } + ["value", "currency", "phone_number", "callback_url", "seconds", "topic", "grant_type", "client_id",
         "client_secret", "token", "expected", "actual"])).sorted()

    private func randomJSON(_ generator: inout SeededGenerator, depth: Int = 0) -> JSON {
        if depth > 2 || generator.next(upperBound: UInt64(3)) == 0 {
            return Self.values[Int(generator.next(upperBound: UInt64(Self.values.count)))]
        }
        var object = JSONObject()
        for _ in 0..<Int(generator.next(upperBound: UInt64(6))) {
            object[Self.keys[Int(generator.next(upperBound: UInt64(Self.keys.count)))]] = randomJSON(&generator, depth: depth + 1)
        }
        return .object(object)
    }

    @Test func randomBodiesGetK2ErrorsOrSucceedAndNeverBreakTheServer() async throws {
        let server = makeServer()
        var generator = SeededGenerator(seed: 99)
        let allowed: Set<Int> = [200, 201, 400, 401, 404, 405, 413, 415]
        for round in 0..<1500 {
            let path = Self.posts[Int(generator.next(upperBound: UInt64(Self.posts.count)))]
            var body = randomJSON(&generator).compactString
            switch round % 5 {
            case 0: body = String(body.prefix(Int(generator.next(upperBound: UInt64(body.count + 1)))))  // truncated
            case 1: body = String(decoding: (0..<32).map { _ in UInt8(truncatingIfNeeded: generator.next()) }, as: UTF8.self)
            default: break
            }
            let response = await server.send("POST", path, headers: [
                ("Authorization", "Bearer \(docsToken)"),
                ("Content-Type", round % 7 == 0 ? "application/x-www-form-urlencoded" : "application/json"),
            ], body: body)
            #expect(allowed.contains(response.status), "\(path) \(body) → \(response.status) \(response.text)")
            if response.status >= 400 {
                let json = response.json
                #expect(json?["error_code"] != nil || json?["error"] != nil, "\(path) \(body) → \(response.text)")
            }
        }
        // Still serving, state intact.
        #expect(await server.send("GET", docsPaymentPath, headers: [("Authorization", "Bearer \(docsToken)")]).status == 200)
        _ = await server.advance(3600)
        #expect(await server.send("GET", "/__admin/health").json?["status"] == "ok")
    }

    @Test func randomBytesNeverCrashTheParser() {
        var generator = SeededGenerator(seed: 7)
        let alphabet = Array(#"{}[]":,\ tfn0123456789.eE+-"ué"#.utf8) + [0xFF, 0xC3, 0x80, 0x00]
        for _ in 0..<20_000 {
            let count = Int(generator.next(upperBound: UInt64(40)))
            let bytes = (0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] }
            if let json = try? JSON.parse(bytes) {
                // Whatever parses must round-trip through the writer.
                #expect((try? JSON.parse(json.serialized())) == json)
            }
        }
    }
}
