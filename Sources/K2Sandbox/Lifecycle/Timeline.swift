/// Everything that falls due on sandbox time, in one order: stage changes, scripted webhook
/// events and delivery attempts, by due time, ties in the order they were scheduled.
///
/// Reads and creates apply stage changes and events that fell due (so a GET on a real clock
/// sees them) but cannot send: the attempts they meet on the way are held back, still in
/// order, for the next `next(dueBy:)`.
struct Timeline: Sendable {
    /// Something scheduled.
    enum Entry: Sendable {
        /// The resource in `slot` of the store reaches step `step` of its timeline.
        case stageChange(slot: ResourceStore.Slot, step: Int32)
        /// A scenario's webhook event fires (boxed: the entry stays small for the many stage changes).
        indirect case event(ScriptedEvent)
        /// The next attempt of a delivery is made.
        case attempt(deliveryID: Int)

        var isAttempt: Bool {
            if case .attempt = self { return true }
            return false
        }
    }

    private var scheduled = Scheduler<Entry>()
    /// Attempts taken out by `nextChange`, in their (due, sequence) order: a heap, as a burst of
    /// callbacks can hold back hundreds of thousands (a sorted array made each one O(n)).
    private var held = Scheduler<Entry>()

    var isEmpty: Bool { scheduled.isEmpty && held.isEmpty }
    var count: Int { scheduled.count + held.count }

    /// The earliest due time of anything on the timeline.
    var nextDue: Timestamp? { first?.due }

    /// The earliest entry, left on the timeline.
    var first: (due: Timestamp, entry: Entry)? {
        if let hold = held.first, scheduled.first.map({ hold.precedes($0) }) ?? true { return (hold.due, hold.event) }
        return scheduled.first.map { ($0.due, $0.event) }
    }

    mutating func schedule(_ entry: Entry, at due: Timestamp) {
        scheduled.schedule(entry, at: due)
    }

    /// Takes the earliest entry if it is due by `time`.
    mutating func next(dueBy time: Timestamp) -> (due: Timestamp, entry: Entry)? {
        if let hold = held.first, hold.due <= time, scheduled.first.map({ hold.precedes($0) }) ?? true {
            _ = held.popEntry(dueBy: time)
            return (hold.due, hold.event)
        }
        return scheduled.popEntry(dueBy: time).map { ($0.due, $0.event) }
    }

    /// Takes the earliest stage change or event due by `time`; attempts due before it are held
    /// back, in order, for `next(dueBy:)`.
    mutating func nextChange(dueBy time: Timestamp) -> (due: Timestamp, entry: Entry)? {
        while let entry = scheduled.popEntry(dueBy: time) {
            guard entry.event.isAttempt else { return (entry.due, entry.event) }
            held.insert(entry)
        }
        return nil
    }
}
