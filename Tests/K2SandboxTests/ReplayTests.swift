@testable import K2Sandbox
import Locking
import OrderedJSON
import Testing

/// A journal that keeps commands in memory, durable at once.
final class RecordingJournal: SandboxJournal {
    let commands = Locked<[RecordedCommand]>([])
    let requests = Locked<[RequestRecord]>([])
    func append(_ command: RecordedCommand) -> UInt64 { UInt64(commands.withLock { $0.append(command); return $0.count }) }
    func appendRequest(_ record: RequestRecord, awaited: Bool) -> UInt64 {
        UInt64(requests.withLock { $0.append(record); return $0.count })
    }
    func reset() -> UInt64 { commands.withLock { $0.removeAll() }; requests.withLock { $0.removeAll() }; return 1 }
    func waitUntilDurable(_ ticket: UInt64) {}
    func durable(_ ticket: UInt64) async {}
}

/// A sandbox rebuilt from its recorded commands is the sandbox that recorded them.
@Suite struct ReplayTests {
    private let payment = #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":1},"_links":{"callback_url":"https://cb.test"}}"#

    private func scenario() -> Scenario {
        var scenario = DefaultScenario.load()
        scenario.clock = .init(mode: .manual, start: Timestamp(iso8601: "2021-01-28T10:00:00+03:00"))
        scenario.seed = 42
        return scenario
    }

    private func rebuild(_ live: Sandbox, _ commands: [RecordedCommand], journal: (any SandboxJournal)? = nil) throws -> Sandbox {
        try Sandbox(scenario: live.scenario, defaultStart: live.defaultStart, restoring: commands,
                    downtime: .zero, journal: journal)
    }

    @Test func replayGivesBackResourcesTokensDeliveriesAndTheClock() async throws {
        let journal = RecordingJournal()
        let live = Sandbox(scenario: scenario(), journal: journal)
        let client = try #require(live.client(id: "sandbox_client_id", secret: "sandbox_client_secret"))
        let kept = live.issueToken(to: client), revoked = live.issueToken(to: client)
        live.revokeToken(revoked.value)
        let id = try live.create(Payment.kind, body: try JSON.parse(payment).objectValue!, clientID: "sandbox_client_id",
                                 origin: "http://127.0.0.1:8080", version: 1)
        let topic = try #require(WebhookTopic.all.first { $0.rawValue == "buygoods_transaction_received" })
        _ = live.fire(ScriptedEvent(topic: topic, quirks: DeliveryQuirks(duplicates: 1)))
        let answers = Locked([500, 200, 503])
        _ = await live.advance(by: .seconds(60)) { _ in
            DeliveryResult(status: answers.withLock { $0.isEmpty ? 200 : $0.removeFirst() }, error: nil, latencyMilliseconds: 2.5)
        }

        let rebuilt = try rebuild(live, journal.commands.withLock { $0 })
        #expect(rebuilt.now() == live.now())
        #expect(rebuilt.resource(Payment.kind, id: id) != nil)
        #expect(rebuilt.resources().map { $0.body(origin: "o") } == live.resources().map { $0.body(origin: "o") })
        #expect(rebuilt.resources().map(\.steps) == live.resources().map(\.steps))
        #expect(rebuilt.deliveries() == live.deliveries())
        #expect(!live.deliveries().isEmpty)
        #expect(rebuilt.checkToken(kept.value) == live.checkToken(kept.value))
        #expect(rebuilt.checkToken(revoked.value) == live.checkToken(revoked.value))
        #expect(rebuilt.checkToken(revoked.value).refusal == "The access token was revoked")
        // The id streams continue where they stood.
        #expect(rebuilt.issueToken(to: client) == live.issueToken(to: client))
    }

    @Test func anAttemptInFlightAtTheCrashIsJournalledAsInterruptedAndMadeAgain() async throws {
        let journal = RecordingJournal()
        let live = Sandbox(scenario: scenario(), journal: journal)
        _ = try live.create(Payment.kind, body: try JSON.parse(payment).objectValue!, clientID: "sandbox_client_id",
                            origin: "http://127.0.0.1:8080", version: 1)
        // The process "dies" while the first attempt is in flight: the journal then holds its take, not its end.
        let atCrash = Locked<[RecordedCommand]>([])
        _ = await live.advance(by: .seconds(60)) { _ in
            atCrash.withLock { $0 = journal.commands.withLock { $0 } }
            return DeliveryResult(status: 200, error: nil, latencyMilliseconds: 1)
        }
        let commands = atCrash.withLock { $0 }
        #expect(commands.last?.command == .takeAttempt)

        let after = RecordingJournal()
        let rebuilt = try rebuild(live, commands, journal: after)
        #expect(rebuilt.deliveries().first?.attempts.isEmpty == true, "nothing is resumed before it is asked")
        rebuilt.resumeInterruptedAttempts()
        let lost = try #require(rebuilt.deliveries().first)
        #expect(lost.attempts.count == 1)
        #expect(lost.attempts[0].interrupted)
        #expect(lost.outcome == .pending)
        #expect(after.commands.withLock { $0.map(\.command) } == [.attemptLost(deliveryID: 1, redelivery: false)])
        let sent = Locked(0)
        _ = await rebuilt.advance(by: .zero) { _ in
            sent.withLock { $0 += 1 }
            return DeliveryResult(status: 200, error: nil, latencyMilliseconds: 1)
        }
        #expect(sent.withLock { $0 } == 1)
        #expect(rebuilt.deliveries().first?.outcome == .delivered)
        #expect(rebuilt.deliveries().first?.attempts.map(\.number) == [1, 2])
    }

    /// A fired event takes its ids after what fell due before it (here a scenario's own event),
    /// live and on replay alike.
    /// A journalled sandbox whose scenario fires `customer_created` (which draws an id) at each
    /// of `seconds`.
    private func sandboxFiring(atSeconds seconds: [Int64]) throws -> (Sandbox, RecordingJournal) {
        var scenario = scenario()
        let topic = try #require(WebhookTopic.all.first { $0.rawValue == "customer_created" })
        scenario.events = seconds.map { ScriptedEvent(at: .seconds($0), topic: topic) }
        let journal = RecordingJournal()
        return (Sandbox(scenario: scenario, journal: journal), journal)
    }

    /// An `afterEach` for `advance` that creates a pay recipient after each of its `steps`, as a
    /// request on another thread would.
    private func creating(in live: Sandbox, after steps: Set<Int>) throws -> @Sendable (Occurrence) -> Void {
        let body = try JSON.parse(#"{"type":"till","pay_recipient":{"till_number":"123"}}"#).objectValue!
        let taken = Locked(0)
        return { _ in
            if steps.contains(taken.withLock { $0 += 1; return $0 }) {
                _ = try? live.create(PayRecipient.kind, body: body, clientID: "sandbox_client_id",
                                     origin: "http://127.0.0.1:8080", version: 1)
            }
        }
    }

    private static let delivered: @Sendable (DeliveryJob) async -> DeliveryResult = { _ in
        DeliveryResult(status: 200, error: nil, latencyMilliseconds: 1)
    }

    /// Creates that come while an advance applies scripted events (which draw ids too) replay
    /// after the events the advance had applied by then, not before them: a manual clock moves
    /// to each step's due time, so a create is stamped with the time of the step it came after.
    @Test func aCreateDuringAnAdvanceReplaysAfterTheStepsItCameAfter() async throws {
        let (live, journal) = try sandboxFiring(atSeconds: Array(1...10))
        let start = live.now()
        _ = await live.advance(by: .seconds(60), deliver: Self.delivered, afterEach: try creating(in: live, after: [3, 7]))

        let commands = journal.commands.withLock { $0 }
        #expect(commands.map { $0.encoded().name } == ["create", "create", "moveClock"])
        // Each is stamped with the instant it was applied at; the clock's move from the last step.
        #expect(commands.map(\.at) == [start + .seconds(3), start + .seconds(7), start + .seconds(10)])
        let rebuilt = try rebuild(live, commands)
        #expect(rebuilt.resources().map { $0.body(origin: "o") } == live.resources().map { $0.body(origin: "o") })
    }

    /// An advance's steps after its last attempt are journalled at its end: the next advance's
    /// steps are counted from there, not from steps the last one took.
    @Test func aCreateDuringTheSecondOfTwoAdvancesReplays() async throws {
        let (live, journal) = try sandboxFiring(atSeconds: Array(1...10) + Array(61...70))
        _ = await live.advance(by: .seconds(60), deliver: Self.delivered)
        _ = await live.advance(by: .seconds(60), deliver: Self.delivered, afterEach: try creating(in: live, after: [3]))

        let commands = journal.commands.withLock { $0 }
        #expect(commands.map { $0.encoded().name } == ["moveClock", "create", "moveClock"])
        let rebuilt = try rebuild(live, commands)
        #expect(rebuilt.resources().map { $0.body(origin: "o") } == live.resources().map { $0.body(origin: "o") })
    }

    @Test func aFiredEventReplaysAfterWhatFellDueBeforeIt() async throws {
        var scenario = scenario()
        let topic = try #require(WebhookTopic.all.first { $0.rawValue == "buygoods_transaction_received" })
        scenario.events = [ScriptedEvent(at: .seconds(10), topic: topic, quirks: DeliveryQuirks(delay: .seconds(60)))]
        let journal = RecordingJournal()
        let live = Sandbox(scenario: scenario, journal: journal)
        _ = try live.create(WebhookSubscription.kind, body: try JSON.parse(
            #"{"event_type":"buygoods_transaction_received","url":"https://hooks.test/k2","scope":"company"}"#).objectValue!,
            clientID: "sandbox_client_id", origin: "http://127.0.0.1:8080", version: 2)
        let ok: @Sendable (DeliveryJob) async -> DeliveryResult = { _ in DeliveryResult(status: 200, error: nil, latencyMilliseconds: 1) }
        _ = await live.advance(by: .seconds(20), deliver: ok)
        let fired = live.fire(ScriptedEvent(topic: topic))
        _ = await live.advance(by: .seconds(120), deliver: ok)

        let rebuilt = try rebuild(live, journal.commands.withLock { $0 })
        #expect(rebuilt.deliveries() == live.deliveries())
        #expect(rebuilt.deliveries().count == 2)
        #expect(rebuilt.webhookEvent(fired.id, origin: "o") == live.webhookEvent(fired.id, origin: "o"))
        #expect(rebuilt.webhookEvent(fired.id, origin: "o") != nil)
    }

    @Test func aCommandThatDoesNotReplayIsRefusedNamingIt() throws {
        let live = Sandbox(scenario: scenario())
        let commands = [RecordedCommand(at: live.now(), command: .revokeToken(token: "never-issued"))]
        #expect(throws: ReplayError.self) { try rebuild(live, commands) }
    }

    /// A replay that makes another id than the record is refused, naming the command.
    @Test func aCommandThatMakesAnotherIdIsRefused() throws {
        let live = Sandbox(scenario: scenario())
        let commands = [RecordedCommand(at: live.now(), command: .issueToken(clientID: "sandbox_client_id"), made: "not-the-seeded-token")]
        #expect { try rebuild(live, commands) } throws: { error in
            (error as? ReplayError)?.description.hasPrefix("command 1 (issueToken) does not replay: it made ") == true
        }
    }

    @Test func everyCommandReadsBackFromItsNameAndArguments() throws {
        let topic = try #require(WebhookTopic.all.first)
        let commands: [SandboxCommand] = [
            .create(kind: Payment.kind, body: try JSON.parse(payment).objectValue!, clientID: "c", origin: "http://o", version: 2),
            .perform(action: "cancel", kind: ResourceKind("payment_link"), id: "y"),
            .issueToken(clientID: "c"), .revokeToken(token: "t"),
            .fire(event: ScriptedEvent(topic: topic, resource: JSONObject([("amount", .string("5")), ("a", .number("1.50"))]),
                                       quirks: DeliveryQuirks(delay: .seconds(3), duplicates: 2, badSignature: true))),
            .jump(by: .seconds(9)), .takeAttempt, .takeDue, .redeliver(deliveryID: 4),
            .attemptEnded(deliveryID: 4, redelivery: true, result: DeliveryResult(status: nil, error: "e", latencyMilliseconds: 0.1234567,
                                                                                   interrupted: true, waitedMilliseconds: 3)),
            .attemptEnded(deliveryID: 5, redelivery: false, result: DeliveryResult(status: 200, error: nil, latencyMilliseconds: 2)),
            .attemptLost(deliveryID: 5, redelivery: false), .moveClock(to: Timestamp(milliseconds: 77)),
        ]
        for command in commands {
            let recorded = RecordedCommand(at: Timestamp(milliseconds: 5), command: command, made: "m")
            let (name, arguments) = recorded.encoded()
            let text = arguments.compactString
            #expect(RecordedCommand(at: recorded.at, name: name, arguments: try JSON.parse(text), made: "m") == recorded, "\(name): \(text)")
        }
        // The body keeps its key order and number lexemes.
        let create = RecordedCommand(at: Timestamp(milliseconds: 0), command: commands[0])
        #expect(create.encoded().arguments["body"]?.compactString == payment)
        #expect(RecordedCommand(at: Timestamp(milliseconds: 0), name: "create", arguments: ["kind": "payment"], made: nil) == nil)
        #expect(RecordedCommand(at: Timestamp(milliseconds: 0), name: "noSuch", arguments: [:], made: nil) == nil)
        #expect(RecordedCommand(at: Timestamp(milliseconds: 0), name: "fire", arguments: ["event": ["topic": "no_such_topic"]], made: nil) == nil)
    }
}
