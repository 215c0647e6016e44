import K2Sandbox
import Testing

/// Loads scenarios from an in-memory file table.
func loader(_ files: [String: String]) -> ScenarioLoader {
    ScenarioLoader(readFile: { path in files[path].map { Array($0.utf8) } })
}

private let fixture = #"{"data":{"id":"abc","type":"payment","attributes":{"status":"Processed"}}}"#

@Suite struct ScenarioLoaderTests {
    @Test func loadsEveryKey() throws {
        let scenario = try loader(["dir/fx/p.json": fixture]).load(text: """
            version: 1
            seed: 42
            clock: { mode: manual, start: "2021-01-28T10:00:00+03:00", scale: 2 }
            credentials:
              - { client_id: a, client_secret: b, api_key: c, token_ttl: 2h }
            tokens:
              - { value: tok, client_id: a, expires_in: 30s }
            fixtures:
              - fx/p.json
            """, path: "dir/s.yaml")
        #expect(scenario.seed == 42)
        #expect(scenario.clock == .init(mode: .manual, start: Timestamp(iso8601: "2021-01-28T10:00:00+03:00"), scale: 2))
        #expect(scenario.credentials == [ClientCredentials(clientID: "a", clientSecret: "b", apiKey: "c", tokenTTL: 7200)])
        #expect(scenario.tokens == [.init(value: "tok", clientID: "a", expiresIn: .seconds(30))])
        #expect(scenario.fixtures.map(\.id) == ["abc"])
        #expect(scenario.fixtures.first?.kind == .payment)
    }

    @Test func reportsEveryProblemWithFileLineAndColumn() {
        do {
            _ = try loader([:]).load(text: """
                version: 1
                clock: { mode: sometimes, start: yesterday }
                credentials:
                  - { client_id: a, client_secret: b, api_key: c, token_ttl: 5 parsecs }
                tokens:
                  - { value: t, client_id: nobody }
                fixtures:
                  - missing.json
                colour: blue
                """, path: "s.yaml")
            Issue.record("expected errors")
        } catch {
            let lines = error.issues.map(\.description)
            #expect(lines.contains("s.yaml:2:16: clock.mode must be 'real' or 'manual'"))
            #expect(lines.contains("s.yaml:2:34: clock.start must be an ISO-8601 time such as 2021-01-28T10:00:00+03:00"))
            #expect(lines.contains { $0.hasPrefix("s.yaml:4:62: credentials.token_ttl must be a duration") })
            #expect(lines.contains("s.yaml:6:5: token's client_id 'nobody' is not among the credentials"))
            #expect(lines.contains { $0.hasPrefix("s.yaml:8:5: fixture file 'missing.json' not found") })
            #expect(lines.contains { $0.hasPrefix("s.yaml:9:1: unknown key 'colour'") })
            // Sorted by position, as an editor lists them.
            #expect(error.issues.map(\.line) == error.issues.map(\.line).sorted())
        }
    }

    @Test func reportsYAMLSyntaxErrorsWithTheirPosition() {
        do {
            _ = try loader([:]).load(text: "version: 1\nclock: { mode: real\n", path: "bad.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.issues.count == 1)
            #expect(error.issues[0].message.hasPrefix("not valid YAML"))
            #expect(error.issues[0].line >= 2)
        }
    }

    @Test func refusesBrokenFixtures() {
        do {
            _ = try loader(["a.json": "{\"data\":", "b.json": #"{"data":{"id":"x","type":"bogus","attributes":{}}}"#])
                .load(text: "version: 1\nfixtures: [a.json, b.json]\n", path: "s.yaml")
            Issue.record("expected errors")
        } catch {
            #expect(error.issues.count == 2)
            #expect(error.issues[0].description.hasPrefix("s.yaml:2:12: fixture 'a.json' is not valid JSON"))
            #expect(error.issues[1].description.hasPrefix("s.yaml:2:20: fixture 'b.json' \"data.type\" must be one of"))
        }
    }

    @Test func requiresAVersion() {
        #expect(throws: ScenarioError.self) { try loader([:]).load(text: "seed: 1\n", path: "s.yaml") }
        #expect(throws: ScenarioError.self) { try loader([:]).load(text: "version: 2\n", path: "s.yaml") }
    }
}
