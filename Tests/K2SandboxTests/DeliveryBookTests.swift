@testable import K2Sandbox
import Testing

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
        #expect(book.record(job, refused, sentAt: t0) == t0 + .seconds(10))
        job = try #require(book.job(for: 1, at: t0 + .seconds(10), epoch: 0))
        #expect(job.attempt == 2)
        #expect(book.record(job, refused, sentAt: t0 + .seconds(12)) == t0 + .seconds(40), "retries count from the due time")
        job = try #require(book.job(for: 1, at: t0 + .seconds(40), epoch: 0))
        #expect(book.record(job, refused, sentAt: t0 + .seconds(40)) == nil)
        #expect(book.deliveries[0].outcome == .failed)
        #expect(book.deliveries[0].attempts.map(\.due) == [t0, t0 + .seconds(10), t0 + .seconds(40)])
        #expect(book.deliveries[0].attempts.map(\.at) == [t0, t0 + .seconds(12), t0 + .seconds(40)])
        #expect(book.counts == (0, 0, 1))
    }

    @Test func aDeliveredDeliveryStaysDeliveredWhateverARedeliveryGets() throws {
        var book = book()
        _ = book.add(.callback, subject: "payment", subjectID: "p", url: "https://h", body: [], apiKey: "k", at: t0,
                     quirks: DeliveryQuirks())
        let job = try #require(book.job(for: 1, at: t0, epoch: 0))
        #expect(book.record(job, DeliveryResult(status: 200, error: nil, latencyMilliseconds: 1), sentAt: t0) == nil)
        #expect(book.job(for: 1, at: t0 + .seconds(1), epoch: 0) == nil, "no scheduled attempt of a delivered delivery")
        let again = try #require(book.job(for: 1, at: t0 + .seconds(1), epoch: 0, redelivery: true))
        #expect(book.record(again, DeliveryResult(status: nil, error: "refused", latencyMilliseconds: 1), sentAt: t0 + .seconds(1)) == nil)
        #expect(book.deliveries[0].attempts.map(\.redelivery) == [false, true])
        #expect(book.deliveries[0].outcome == .delivered)
        #expect(book.count(outcome: "delivered", kind: "callback", url: "https://*") == 1)
        #expect(book.count(outcome: nil, kind: "webhook", url: nil) == 0)
    }

    @Test func aRedeliveryIsAnExtraAttemptOutsideThePolicy() throws {
        var book = book(attempts: 2)
        _ = book.add(.callback, subject: "payment", subjectID: "p", url: "https://h", body: [], apiKey: "k", at: t0,
                     quirks: DeliveryQuirks())
        let refused = DeliveryResult(status: 503, error: nil, latencyMilliseconds: 1)
        var job = try #require(book.job(for: 1, at: t0, epoch: 0))
        #expect(book.record(job, refused, sentAt: t0) == t0 + .seconds(10))
        // A failed redelivery changes nothing: the retry still comes, and it is still the last.
        let manual = try #require(book.job(for: 1, at: t0 + .seconds(1), epoch: 0, redelivery: true))
        #expect(book.record(manual, refused, sentAt: t0 + .seconds(1)) == nil)
        #expect(book.deliveries[0].outcome == .pending)
        job = try #require(book.job(for: 1, at: t0 + .seconds(10), epoch: 0))
        #expect(job.attempt == 3)
        #expect(book.record(job, refused, sentAt: t0 + .seconds(10)) == nil)
        #expect(book.deliveries[0].outcome == .failed)
        // A successful redelivery of a failed delivery delivers it.
        let rescue = try #require(book.job(for: 1, at: t0 + .seconds(20), epoch: 0, redelivery: true))
        _ = book.record(rescue, DeliveryResult(status: 200, error: nil, latencyMilliseconds: 1), sentAt: t0 + .seconds(20))
        #expect(book.deliveries[0].outcome == .delivered)
        #expect(book.counts == (0, 1, 0))
    }

    @Test func aRetryComesABackoffAfterTheAttemptEndedNotAfterItWasDue() throws {
        var book = book()
        _ = book.add(.callback, subject: "payment", subjectID: "p", url: "https://h", body: [], apiKey: "k", at: t0,
                     quirks: DeliveryQuirks())
        let job = try #require(book.job(for: 1, at: t0, epoch: 0))
        let retry = book.record(job, DeliveryResult(status: nil, error: "timed out", latencyMilliseconds: 2000),
                                sentAt: t0 + .seconds(3), endedAt: t0 + .seconds(5))
        #expect(retry == t0 + .seconds(15))
    }
}
