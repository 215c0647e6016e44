import OrderedJSON
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
        #expect(scenario.fixtures.first?.kind == Payment.kind)
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

@Suite struct TimelineScenarioTests {
    @Test func readsDefaultsAndRules() throws {
        let scenario = try loader([:]).load(text: """
            version: 1
            timelines:
              payment:
                - { after: 0s, stage: Pending }
                - { after: 1h, stage: Processed }
                - { after: 2h, stage: Transferred }
              rules:
                - match: { resource: incoming_payment, phone_number: "0700000001", metadata: { tier: gold } }
                  timeline:
                    - { after: 0s, stage: Pending }
                    - { after: 10s, stage: Failed, error: "Request cancelled by user" }
            """, path: "s.yaml")
        #expect(scenario.timelines.defaults[Payment.kind]?.map(\.after) == [.zero, .seconds(3600), .seconds(7200)])
        #expect(scenario.timelines.defaults[IncomingPayment.kind] == nil)
        #expect(scenario.timelines.plan(for: IncomingPayment.kind, MatchFacts()).timeline == DefaultScenario.timelines.defaults[IncomingPayment.kind])
        let rule = try #require(scenario.timelines.rules.first)
        #expect(rule.phoneDigits == "254700000001")
        #expect(rule.metadata == ["tier": "gold"])
        #expect(rule.timeline.last == TimelineStep(after: .seconds(10), stage: .failed, error: "Request cancelled by user"))
    }

    @Test func refusesBadTimelinesWithPositions() {
        do {
            _ = try loader([:]).load(text: """
                version: 1
                timelines:
                  payment:
                    - { after: 5 seconds, stage: Pending }
                    - { after: 1s, stage: Success }
                  send_money:
                    - { after: 10s, stage: Transferred }
                    - { after: 20s, stage: Processed }
                  incoming_payment:
                    - { after: 10s, stage: Pending }
                    - { after: 5s, stage: Success, error: "no" }
                  rules:
                    - match: { amount: 5 }
                      timeline: []
                    - match: { resource: merchant_wallet }
                      timeline: []
                """, path: "t.yaml")
            Issue.record("expected errors")
        } catch {
            let lines = error.issues.map(\.description)
            #expect(lines.contains { $0.hasPrefix("t.yaml:4:16: timelines.payment.after must be a duration") })
            #expect(lines.contains("t.yaml:5:27: unknown stage 'Success' for payment (stages: Pending, Processed, Transferred, Failed)"))
            #expect(lines.contains("t.yaml:8:7: timelines.send_money: nothing can follow the final stage Transferred"))
            #expect(lines.contains { $0.hasPrefix("t.yaml:11:7: timelines.incoming_payment: steps must not go back in time") })
            #expect(lines.contains("t.yaml:11:7: timelines.incoming_payment: error is only for a Failed stage"))
            #expect(lines.contains { $0.hasPrefix("t.yaml:13:14: match needs resource") })
            #expect(lines.contains { $0.hasPrefix("t.yaml:15:26: match.resource must be one of payment, send_money, incoming_payment, settlement_transfer") })
        }
    }

    @Test func firstMatchingRuleWinsElseTheKindsDefault() {
        let failing = [TimelineStep(after: .zero, stage: .pending), TimelineStep(after: .seconds(1), stage: .failed, error: "x")]
        let stuck = [TimelineStep(after: .zero, stage: .pending)]
        let timelines = Timelines(rules: [
            TimelineRule(kind: Payment.kind, amountCents: 40_400, timeline: failing),
            TimelineRule(kind: Payment.kind, metadata: ["slow": "yes"], timeline: stuck),
            TimelineRule(kind: Payment.kind, amountCents: 40_400, timeline: stuck),
        ])
        var facts = MatchFacts()
        facts.amountsCents = [40_400]
        #expect(timelines.plan(for: Payment.kind, facts).timeline == failing)
        facts.amountsCents = [1]
        facts.metadata = ["slow": "yes"]
        #expect(timelines.plan(for: Payment.kind, facts).timeline == stuck)
        facts.metadata = [:]
        #expect(timelines.plan(for: Payment.kind, facts).timeline == DefaultScenario.timelines.defaults[Payment.kind])
        // A rule of one kind never applies to another.
        #expect(timelines.plan(for: SendMoney.kind, MatchFacts(amountsCents: [40_400])).timeline
            == DefaultScenario.timelines.defaults[SendMoney.kind])
    }
}

@Suite struct EventScenarioTests {
    @Test func readsEventsCallbacksAndDeliveryQuirks() throws {
        let scenario = try loader([:]).load(text: """
            version: 1
            callbacks:
              timeout: 2s
              retry: { attempts: 3, backoff: [1s, 5s] }
            timelines:
              rules:
                - match: { resource: payment, amount: 1 }
                  timeline: [{ after: 0s, stage: Pending }]
                  delivery: { delay: 5s, duplicates: 1, bad_signature: true }
            events:
              - at: 60s
                topic: buygoods_transaction_received
                resource: { amount: "100.0", till_number: "555555", sender_middle_name: null }
                delivery: { duplicates: 2 }
            """, path: "e.yaml")
        #expect(scenario.callbacks == CallbackSettings(timeout: .seconds(2), attempts: 3, backoff: [.seconds(1), .seconds(5)]))
        #expect(scenario.timelines.rules.first?.quirks == DeliveryQuirks(delay: .seconds(5), duplicates: 1, badSignature: true))
        let event = try #require(scenario.events.first)
        #expect(event.at == .seconds(60))
        #expect(event.topic.rawValue == "buygoods_transaction_received")
        #expect(event.resource.members.map(\.key) == ["amount", "till_number", "sender_middle_name"])
        #expect(event.resource["sender_middle_name"] == .null)
        #expect(event.quirks.duplicates == 2)
    }

    @Test func refusesBadEvents() {
        do {
            _ = try loader([:]).load(text: """
                version: 1
                events:
                  - { at: soon, topic: buygoods_transaction_received }
                  - { at: 1s, topic: card_magic }
                  - { topic: customer_created }
                callbacks: { retry: { attempts: 0 } }
                """, path: "e.yaml")
            Issue.record("expected errors")
        } catch {
            let lines = error.issues.map(\.description)
            #expect(lines.contains { $0.hasPrefix("e.yaml:3:11: events.at must be a duration") })
            #expect(lines.contains { $0.hasPrefix("e.yaml:4:22: events.topic 'card_magic' is not one of") })
            #expect(lines.contains("e.yaml:5:5: an events entry needs at and topic"))
            #expect(lines.contains { $0.hasPrefix("e.yaml:6:33: callbacks.retry.attempts must be a whole number from 1 to 100") })
        }
    }
}

@Suite struct FaultAndExpectScenarioTests {
    @Test func readsFaultsAndExpectations() throws {
        let scenario = try loader([:]).load(text: """
            version: 1
            faults:
              - { match: { method: post, path: /api/v1/payments }, nth: 3, respond: { status: 503 } }
              - { match: { path: "/api/v1/payments/*" }, latency: 200ms }
            expect:
              - { requests: { method: POST, path: /api/v1/payments }, count: 1 }
              - { callbacks: { outcome: delivered }, count: 2 }
            """, path: "f.yaml")
        #expect(scenario.faults.map { fault in var fault = fault; fault.source = nil; return fault }
                == [Fault(method: "POST", path: "/api/v1/payments", nth: 3, status: 503),
                    Fault(path: "/api/v1/payments/*", latency: TimeSpan(milliseconds: 200))])
        #expect(scenario.faults.map(\.source) == ["f.yaml:3", "f.yaml:4"], "explanations name a fault by its line")
        #expect(scenario.expectations.map(\.count) == [1, 2])
        #expect(scenario.expectations.map(\.source) == ["f.yaml:6", "f.yaml:7"])
    }

    @Test func refusesFaultsThatDoNothingAndExpectationsWithoutACount() {
        do {
            _ = try loader([:]).load(text: """
                version: 1
                faults:
                  - { match: { path: /x } }
                  - { respond: { status: 999 } }
                expect:
                  - { requests: { path: /x } }
                  - { callbacks: { outcome: lost }, count: 1 }
                """, path: "f.yaml")
            Issue.record("expected errors")
        } catch {
            let lines = error.issues.map(\.description)
            #expect(lines.contains("f.yaml:3:5: a faults entry needs respond (a status) or latency"))
            #expect(lines.contains { $0.hasPrefix("f.yaml:4:26: faults.respond.status must be a whole number from 100 to 599") })
            #expect(lines.contains("f.yaml:6:5: an expect entry needs requests or callbacks, and count"))
            #expect(lines.contains("f.yaml:7:29: expect.callbacks.outcome must be pending, delivered or failed"))
        }
    }

    /// A value given but wrong is reported once, as such, not also as missing.
    @Test func aWrongStatusOrCountIsOneProblemNotTwo() {
        do {
            _ = try ScenarioLoader().load(text: """
                version: 1
                faults:
                  - { respond: { status: 900 } }
                expect:
                  - { requests: {}, count: -2 }
                """, path: "d.yaml")
            Issue.record("refused")
        } catch {
            #expect(error.issues.map(\.description) == [
                "d.yaml:3:26: faults.respond.status must be a whole number from 100 to 599",
                "d.yaml:5:28: expect.count must be a whole number from 0 to 1000000000",
            ])
        }
    }
}
