/// Entries in order of due time, ties in the order they were scheduled: a binary heap keyed by
/// (due, sequence), so the order never depends on anything but the scenario and requests. The
/// heap holds the entries themselves: a dictionary of events beside a heap of keys cost about
/// 180 bytes per entry at a million payments' stage changes (`bench/payments.sh`); keep `Event` small.
struct Scheduler<Event: Sendable>: Sendable {
    /// One scheduled entry with its ordering key.
    struct Entry: Sendable {
        let due: Timestamp
        let sequence: Int
        let event: Event

        func precedes(_ other: Entry) -> Bool {
            (due.milliseconds, sequence) < (other.due.milliseconds, other.sequence)
        }
    }

    private var heap: [Entry] = []
    private var nextSequence = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    /// The earliest entry, left in place.
    var first: Entry? { heap.first }
    var nextDue: Timestamp? { heap.first?.due }

    mutating func schedule(_ event: Event, at due: Timestamp) {
        insert(Entry(due: due, sequence: nextSequence, event: event))
        nextSequence += 1
    }

    /// Puts back an entry taken from another scheduler, keeping its place in the order (its due
    /// time and sequence); its sequence must not be one this scheduler gave out.
    mutating func insert(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popEntry(dueBy now: Timestamp) -> Entry? {
        guard let first = heap.first, first.due <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
                if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
