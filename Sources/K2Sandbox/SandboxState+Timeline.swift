/// Running what falls due on the timeline; runs under the sandbox's lock. Time flows one way:
/// the clock says what is due, a due stage change re-renders its resource, a final stage
/// journals a callback, a due attempt goes to whoever sends it.
extension SandboxState {
    /// What the timeline gave: something already applied, or an attempt to send.
    enum DueWork {
        case happened(Occurrence)
        case send(DeliveryJob)
    }

    /// Applies every stage change and event due now, in order; attempts met on the way are held
    /// for a sender. Reads and creates call this first, so they see the present.
    mutating func applyDueChanges() {
        // Most GETs find nothing scheduled: no need to read the clock then.
        guard !timeline.isEmpty else { return }
        let now = clock.now()
        while let (due, entry) = timeline.nextChange(dueBy: now) { _ = apply(entry, at: due) }
    }

    /// The next thing due by `time`, in due order (ties in scheduling order): a stage change or
    /// event is applied, an attempt is handed out to send and `record`.
    mutating func takeNext(dueBy time: Timestamp) -> DueWork? {
        while let step = step(dueBy: time) {
            if let work = step { return work }
        }
        return nil
    }

    /// Takes the earliest entry due by `time` and applies it: nil when nothing is due, `.some(nil)`
    /// when the entry no longer applies (a stage its resource may not reach now, an attempt of a
    /// delivery that is over).
    mutating func step(dueBy time: Timestamp) -> DueWork?? {
        guard let (due, entry) = timeline.next(dueBy: time) else { return nil }
        return .some(apply(entry, at: due))
    }

    /// Every attempt due now, after applying what falls due before them (a real clock's tick).
    mutating func takeDueAttempts() -> [DeliveryJob] {
        let now = clock.now()
        var jobs: [DeliveryJob] = []
        while let work = takeNext(dueBy: now) {
            if case .send(let job) = work { jobs.append(job) }
        }
        return jobs
    }

    /// Records how an attempt went and schedules its retry, if one is due. An interrupted
    /// scheduled attempt (the transport stopped) is not journalled: it is put back, still due.
    /// On a manual clock an attempt is sent, and over, at its due time. On a real clock it was
    /// sent when it was taken plus what it waited in the transport (scaled to sandbox time), and
    /// it is over now: a retry comes a backoff after that.
    mutating func record(_ job: DeliveryJob, _ result: DeliveryResult) {
        guard job.epoch == epoch else { return }
        if result.interrupted {
            if !job.isRedelivery { timeline.schedule(.attempt(deliveryID: job.deliveryID), at: job.due) }
            return
        }
        var sentAt = job.due, endedAt = job.due
        if clock.mode == .real {
            let waited = Int64((result.waitedMilliseconds * clock.scale).rounded())
            sentAt = max(job.due, Timestamp(milliseconds: job.takenAt.milliseconds + waited))
            endedAt = max(sentAt, clock.now())
        }
        let retryAt = deliveries.record(job, result, sentAt: sentAt, endedAt: endedAt)
        if let delivery = deliveries.delivery(job.deliveryID) {
            unpublished.append(.delivery(id: delivery.id, outcome: delivery.outcome, attempts: delivery.attempts.count))
        }
        guard let retryAt else { return }
        timeline.schedule(.attempt(deliveryID: job.deliveryID), at: retryAt)
    }

    /// A redelivery by hand of delivery `id`, to send now; nil if there is no such delivery.
    func redeliveryJob(_ id: Int) -> DeliveryJob? {
        let now = clock.now()
        return deliveries.job(for: id, at: now, epoch: epoch, redelivery: true, takenAt: now)
    }

    /// An attempt that was in flight when k2mock died: journalled as interrupted (it does not
    /// count against the retry policy) and, if it was a scheduled one, due again now (a
    /// redelivery by hand is not repeated).
    mutating func lose(_ job: DeliveryJob) {
        let now = clock.now()
        deliveries.recordLost(job, at: max(job.takenAt, job.due))
        if let delivery = deliveries.delivery(job.deliveryID) {
            unpublished.append(.delivery(id: delivery.id, outcome: delivery.outcome, attempts: delivery.attempts.count))
        }
        if !job.isRedelivery { timeline.schedule(.attempt(deliveryID: job.deliveryID), at: max(job.due, now)) }
    }

    private mutating func apply(_ entry: Timeline.Entry, at due: Timestamp) -> DueWork? {
        switch entry {
        case .stageChange(let slot, let step):
            reach(Int(step), of: slot, at: due).map { .happened(.stageChange($0)) }
        case .event(let event):
            .happened(.event(fire(event, at: due)))
        case .attempt(let id):
            deliveries.job(for: id, at: due, epoch: epoch, takenAt: clock.mode == .real ? max(due, clock.now()) : due).map(DueWork.send)
        }
    }

    /// Moves a resource to step `step` of its timeline, unless its record forbids it now; a
    /// final stage queues its callback.
    private mutating func reach(_ step: Int, of slot: ResourceStore.Slot, at due: Timestamp) -> StageChange? {
        guard let (id, stage) = store.reach(step, of: slot, at: due) else { return nil }
        let resource = store[slot], kind = resource.kind
        unpublished.append(.resource(kind: kind, id: id, stage: stage, at: due))
        if kinds.definition(of: kind)?.finalStages.contains(stage) == true { queueCallback(for: resource, at: due) }
        return StageChange(at: due, kind: kind, id: id, stage: stage)
    }
}
