@testable import K2Sandbox
import Testing

@Suite struct TimelineTests {
    private let t0 = Timestamp(milliseconds: 0)

    private func name(_ entry: Timeline.Entry) -> String {
        switch entry {
        case .stageChange(let key, let step): "\(key.id)#\(step)"
        case .event(let event): event.topic.rawValue
        case .attempt(let id): "attempt \(id)"
        }
    }

    @Test func everythingDueComesOutInDueOrderTiesInSchedulingOrder() {
        var timeline = Timeline()
        let key = ResourceKey(kind: ResourceKind("payment"), id: "p")
        timeline.schedule(.attempt(deliveryID: 1), at: t0 + .seconds(5))
        timeline.schedule(.stageChange(key, step: 1), at: t0 + .seconds(5))
        timeline.schedule(.stageChange(key, step: 0), at: t0 + .seconds(2))
        #expect(timeline.nextDue == t0 + .seconds(2))
        var order: [String] = []
        while let (_, entry) = timeline.next(dueBy: t0 + .seconds(5)) { order.append(name(entry)) }
        #expect(order == ["p#0", "attempt 1", "p#1"])
        #expect(timeline.isEmpty)
    }

    @Test func readsTakeChangesAndHoldAttemptsBackInTheirPlace() {
        var timeline = Timeline()
        let key = ResourceKey(kind: ResourceKind("payment"), id: "p")
        timeline.schedule(.attempt(deliveryID: 1), at: t0 + .seconds(1))
        timeline.schedule(.stageChange(key, step: 0), at: t0 + .seconds(2))
        timeline.schedule(.attempt(deliveryID: 2), at: t0 + .seconds(3))
        timeline.schedule(.stageChange(key, step: 1), at: t0 + .seconds(9))
        // A read at 3 s applies the stage change, not the attempts around it.
        var changes: [String] = []
        while let (_, entry) = timeline.nextChange(dueBy: t0 + .seconds(3)) { changes.append(name(entry)) }
        #expect(changes == ["p#0"])
        #expect(timeline.count == 3)
        #expect(timeline.nextDue == t0 + .seconds(1))
        // A retry scheduled now, due before the held attempt 2, still goes first.
        timeline.schedule(.attempt(deliveryID: 3), at: t0 + .seconds(2))
        var order: [String] = []
        while let (_, entry) = timeline.next(dueBy: t0 + .seconds(60)) { order.append(name(entry)) }
        #expect(order == ["attempt 1", "attempt 3", "attempt 2", "p#1"])
    }

    @Test func nothingIsTakenBeforeItIsDue() {
        var timeline = Timeline()
        timeline.schedule(.attempt(deliveryID: 1), at: t0 + .seconds(2))
        _ = timeline.nextChange(dueBy: t0 + .seconds(5))
        #expect(timeline.next(dueBy: t0 + .seconds(1)) == nil)
        #expect(timeline.next(dueBy: t0 + .seconds(2)).map { name($0.entry) } == "attempt 1")
    }
}

@Suite struct DeliveryBookTests {
    private let t0 = Timestamp(milliseconds: 0)

    private func book(attempts: Int = 3) -> DeliveryBook {
        DeliveryBook(settings: CallbackSettings(timeout: .seconds(5), attempts: attempts, backoff: [.seconds(10), .seconds(30)]))
    }

    @Test func duplicatesAreEntriesOfTheirOwnAndABadSignatureUsesAnotherKey() throws {
        var book = book()
        let body = Array(#"{"a":1}"#.utf8)
        let ids = book.add(.callback, subject: "payment", subjectID: "p", url: "https://h", body: body, apiKey: "key",
                           at: t0, quirks: DeliveryQuirks(duplicates: 2, badSignature: true))
        #expect(ids == [1, 2, 3])
        #expect(book.deliveries.map(\.signature) == Array(repeating: kopoKopoSignature(body: body, apiKey: "key-but-wrong"), count: 3))
        let job = try #require(book.job(for: 2, at: t0, epoch: 4))
        #expect(job.attempt == 1 && job.epoch == 4 && job.timeoutMilliseconds == 5000)
        #expect(job.headers.contains { $0.name == "X-KopoKopo-Signature" && $0.value == book.deliveries[1].signature })
        #expect(book.job(for: 4, at: t0, epoch: 0) == nil)
    }

    @Test func failuresAreRetriedWithBackoffUntilAttemptsRunOut() throws {
        var book = book()
        _ = book.add(.webhook, subject: "customer_created", subjectID: "e", url: "https://h", body: [], apiKey: "k",
                     at: t0, quirks: DeliveryQuirks())
        let refused = DeliveryResult(status: 503, error: nil, latencyMilliseconds: 1)
        var job = try #require(book.job(for: 1, at: t0, epoch: 0))
        #expect(book.record(job, refused, retry: true) == t0 + .seconds(10))
        job = try #require(book.job(for: 1, at: t0 + .seconds(10), epoch: 0))
        #expect(job.attempt == 2)
        #expect(book.record(job, refused, retry: true) == t0 + .seconds(40))
        job = try #require(book.job(for: 1, at: t0 + .seconds(40), epoch: 0))
        #expect(book.record(job, refused, retry: true) == nil)
        #expect(book.deliveries[0].outcome == .failed)
        #expect(book.deliveries[0].attempts.map(\.at) == [t0, t0 + .seconds(10), t0 + .seconds(40)])
        #expect(book.counts == (0, 0, 1))
    }

    @Test func aDeliveredDeliveryStaysDeliveredWhateverARedeliveryGets() throws {
        var book = book()
        _ = book.add(.callback, subject: "payment", subjectID: "p", url: "https://h", body: [], apiKey: "k", at: t0,
                     quirks: DeliveryQuirks())
        let job = try #require(book.job(for: 1, at: t0, epoch: 0))
        #expect(book.record(job, DeliveryResult(status: 200, error: nil, latencyMilliseconds: 1), retry: true) == nil)
        let again = try #require(book.job(for: 1, at: t0 + .seconds(1), epoch: 0))
        #expect(book.record(again, DeliveryResult(status: nil, error: "refused", latencyMilliseconds: 1), retry: false) == nil)
        #expect(book.deliveries[0].outcome == .delivered)
        #expect(book.count(outcome: "delivered", kind: "callback", url: "https://*") == 1)
        #expect(book.count(outcome: nil, kind: "webhook", url: nil) == 0)
    }
}

@Suite struct JournalTests {
    @Test func requestJournalKeepsTheLatestAndCountsByMethodAndPattern() {
        var journal = RequestJournal()
        for index in 0..<(RequestJournal.capacity + 5) {
            journal.append(RequestRecord(at: Timestamp(milliseconds: Int64(index)), method: index % 2 == 0 ? "GET" : "POST",
                                         path: "/api/v1/payments/\(index)", status: 200))
        }
        #expect(journal.records.count == RequestJournal.capacity - RequestJournal.capacity / 10 + 5)
        #expect(journal.records.last?.path == "/api/v1/payments/\(RequestJournal.capacity + 4)")
        #expect(journal.count(method: "post", path: "/api/v1/payments/*") == journal.records.filter { $0.method == "POST" }.count)
        #expect(journal.count(method: nil, path: "/api/v2/*") == 0)
    }

    @Test func faultBookCountsEveryMatchAndAnswersOnlyTheNth() {
        var faults = FaultBook([Fault(method: "POST", path: "/api/v1/payments", nth: 2, status: 503),
                                Fault(path: "/api/*", latency: .seconds(1))])
        #expect(faults.fault(method: "POST", path: "/api/v1/payments")?.latency == .seconds(1))
        #expect(faults.fault(method: "POST", path: "/api/v1/payments")?.status == 503)
        #expect(faults.fault(method: "POST", path: "/api/v1/payments")?.status == nil)
        #expect(faults.fault(method: "GET", path: "/oauth/token") == nil)
    }
}
