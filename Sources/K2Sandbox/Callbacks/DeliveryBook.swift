/// Every callback and webhook delivery and each attempt at it (the journal
/// `GET /__admin/callbacks` lists), and what the next attempt of one is.
struct DeliveryBook: Sendable {
    private(set) var deliveries: [Delivery] = []
    let settings: CallbackSettings

    init(settings: CallbackSettings) {
        self.settings = settings
    }

    /// Journals a delivery of `body` to `url`, signed with `apiKey` (a wrong key if the quirks
    /// say so), and its duplicates; returns their ids, whose first attempts are due
    /// `quirks.delay` after `at`.
    mutating func add(
        _ kind: Delivery.Kind, subject: String, subjectID: String, url: String, body: [UInt8], apiKey: String,
        at time: Timestamp, quirks: DeliveryQuirks
    ) -> [Int] {
        let key = quirks.badSignature ? apiKey + "-but-wrong" : apiKey
        var ids: [Int] = []
        for _ in 0...max(0, quirks.duplicates) {
            let id = deliveries.count + 1
            deliveries.append(Delivery(
                id: id, kind: kind, subject: subject, subjectID: subjectID, url: url, body: body,
                signingKey: key, createdAt: time,
                nextAttemptAt: time + quirks.delay))
            ids.append(id)
        }
        return ids
    }

    /// Delivery `id`, if there is one.
    func delivery(_ id: Int) -> Delivery? {
        id >= 1 && id <= deliveries.count ? deliveries[id - 1] : nil
    }

    /// The next attempt of delivery `id`, due at `due`, made by sandbox incarnation `epoch`: a
    /// scheduled one (nil once the delivery was delivered, say by a redelivery), or a
    /// redelivery by hand.
    func job(for id: Int, at due: Timestamp, epoch: Int, redelivery: Bool = false, takenAt: Timestamp? = nil) -> DeliveryJob? {
        guard id >= 1, id <= deliveries.count else { return nil }
        let delivery = deliveries[id - 1]
        if !redelivery, delivery.outcome == .delivered { return nil }
        return DeliveryJob(
            epoch: epoch, deliveryID: id, attempt: delivery.attempts.count + 1, due: due, url: delivery.url,
            headers: [("Content-Type", "application/json"), ("User-Agent", "k2mock"),
                      ("X-KopoKopo-Signature", delivery.signature)],
            body: delivery.body, timeoutMilliseconds: Int(settings.timeout.milliseconds), isRedelivery: redelivery,
            takenAt: takenAt ?? due)
    }

    /// Records how an attempt went, sent at sandbox time `sentAt` and over at `endedAt`. The
    /// retry policy counts scheduled attempts only: a failed one is retried a backoff after it
    /// ended (the returned sandbox time) while the policy has attempts left, and a delivery out
    /// of them is `failed`. A redelivery by hand is
    /// an extra attempt: if it succeeds the delivery is `delivered` (its pending retries are then
    /// skipped); if it fails nothing changes.
    mutating func record(_ job: DeliveryJob, _ result: DeliveryResult, sentAt: Timestamp, endedAt: Timestamp? = nil) -> Timestamp? {
        guard job.deliveryID >= 1, job.deliveryID <= deliveries.count else { return nil }
        var delivery = deliveries[job.deliveryID - 1]
        defer { deliveries[job.deliveryID - 1] = delivery }
        delivery.attempts.append(DeliveryAttempt(
            number: delivery.attempts.count + 1, at: sentAt, due: job.due, redelivery: job.isRedelivery,
            status: result.status, error: result.error, latencyMilliseconds: result.latencyMilliseconds,
            delivered: result.isSuccess))
        if result.isSuccess {
            delivery.outcome = .delivered
            delivery.nextAttemptAt = nil
            return nil
        }
        guard !job.isRedelivery, delivery.outcome == .pending else { return nil }
        let scheduled = delivery.attempts.count(where: { !$0.redelivery && !$0.interrupted })
        if scheduled < settings.attempts {
            let retry = max(job.due, endedAt ?? job.due) + settings.backoff(after: scheduled)
            delivery.nextAttemptAt = retry
            return retry
        }
        delivery.outcome = .failed
        delivery.nextAttemptAt = nil
        return nil
    }

    /// Journals an attempt that was in flight when k2mock stopped without its answer (a crash).
    mutating func recordLost(_ job: DeliveryJob, at sentAt: Timestamp) {
        guard job.deliveryID >= 1, job.deliveryID <= deliveries.count else { return }
        let then: String = job.isRedelivery ? "a redelivery by hand is not repeated" : "made again after the restart"
        let error: String = "interrupted: k2mock stopped before the receiver answered; " + then
        deliveries[job.deliveryID - 1].attempts.append(DeliveryAttempt(
            number: deliveries[job.deliveryID - 1].attempts.count + 1, at: sentAt, due: job.due, redelivery: job.isRedelivery,
            status: nil, error: error,
            latencyMilliseconds: 0, delivered: false, interrupted: true))
    }

    /// How many deliveries are pending, delivered and failed.
    var counts: (pending: Int, delivered: Int, failed: Int) {
        var counts = (pending: 0, delivered: 0, failed: 0)
        for delivery in deliveries {
            switch delivery.outcome {
            case .pending: counts.pending += 1
            case .delivered: counts.delivered += 1
            case .failed: counts.failed += 1
            }
        }
        return counts
    }

    /// How many deliveries match the outcome, kind and url pattern (each nil: any).
    func count(outcome: String?, kind: String?, url: String?) -> Int {
        deliveries.filter { delivery in
            (outcome.map { $0 == delivery.outcome.rawValue } ?? true) && (kind.map { $0 == delivery.kind.rawValue } ?? true)
                && (url.map { globMatches($0, delivery.url) } ?? true)
        }.count
    }
}
