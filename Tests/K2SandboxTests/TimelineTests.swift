@testable import K2Sandbox
import Testing

@Suite struct TimelineTests {
    private let t0 = Timestamp(milliseconds: 0)

    private func name(_ entry: Timeline.Entry) -> String {
        switch entry {
        case .stageChange(let slot, let step): "s\(slot)#\(step)"
        case .event(let event): event.topic.rawValue
        case .attempt(let id): "attempt \(id)"
        }
    }

    @Test func everythingDueComesOutInDueOrderTiesInSchedulingOrder() {
        var timeline = Timeline()
        let slot: ResourceStore.Slot = 7
        timeline.schedule(.attempt(deliveryID: 1), at: t0 + .seconds(5))
        timeline.schedule(.stageChange(slot: slot, step: 1), at: t0 + .seconds(5))
        timeline.schedule(.stageChange(slot: slot, step: 0), at: t0 + .seconds(2))
        #expect(timeline.nextDue == t0 + .seconds(2))
        var order: [String] = []
        while let (_, entry) = timeline.next(dueBy: t0 + .seconds(5)) { order.append(name(entry)) }
        #expect(order == ["s7#0", "attempt 1", "s7#1"])
        #expect(timeline.isEmpty)
    }

    @Test func readsTakeChangesAndHoldAttemptsBackInTheirPlace() {
        var timeline = Timeline()
        let slot: ResourceStore.Slot = 7
        timeline.schedule(.attempt(deliveryID: 1), at: t0 + .seconds(1))
        timeline.schedule(.stageChange(slot: slot, step: 0), at: t0 + .seconds(2))
        timeline.schedule(.attempt(deliveryID: 2), at: t0 + .seconds(3))
        timeline.schedule(.stageChange(slot: slot, step: 1), at: t0 + .seconds(9))
        // A read at 3 s applies the stage change, not the attempts around it.
        var changes: [String] = []
        while let (_, entry) = timeline.nextChange(dueBy: t0 + .seconds(3)) { changes.append(name(entry)) }
        #expect(changes == ["s7#0"])
        #expect(timeline.count == 3)
        #expect(timeline.nextDue == t0 + .seconds(1))
        // A retry scheduled now, due before the held attempt 2, still goes first.
        timeline.schedule(.attempt(deliveryID: 3), at: t0 + .seconds(2))
        var order: [String] = []
        while let (_, entry) = timeline.next(dueBy: t0 + .seconds(60)) { order.append(name(entry)) }
        #expect(order == ["attempt 1", "attempt 3", "attempt 2", "s7#1"])
    }

    @Test func nothingIsTakenBeforeItIsDue() {
        var timeline = Timeline()
        timeline.schedule(.attempt(deliveryID: 1), at: t0 + .seconds(2))
        _ = timeline.nextChange(dueBy: t0 + .seconds(5))
        #expect(timeline.next(dueBy: t0 + .seconds(1)) == nil)
        #expect(timeline.next(dueBy: t0 + .seconds(2)).map { name($0.entry) } == "attempt 1")
    }

    @Test func manyHeldAttemptsStillComeOutInDueThenSchedulingOrder() {
        // A burst of callbacks a read holds back (tens of thousands in a real run), mixed with
        // stage changes and later retries: the order is (due, then scheduling) throughout.
        var timeline = Timeline()
        var expected: [(due: Int64, sequence: Int, name: String)] = []
        var generator = SplitMix(seed: 42)
        for sequence in 0..<5_000 {
            let due = Int64(generator.next() % 2_000)
            let isAttempt = sequence % 3 != 0
            timeline.schedule(isAttempt ? .attempt(deliveryID: sequence) : .stageChange(slot: 1, step: Int32(sequence)),
                              at: Timestamp(milliseconds: due))
            expected.append((due, sequence, isAttempt ? "attempt \(sequence)" : "s1#\(sequence)"))
        }
        var changes: [String] = []
        while let (_, entry) = timeline.nextChange(dueBy: Timestamp(milliseconds: 1_000)) { changes.append(name(entry)) }
        let order = expected.sorted { ($0.due, $0.sequence) < ($1.due, $1.sequence) }
        #expect(changes == order.filter { $0.due <= 1_000 && !$0.name.hasPrefix("attempt") }.map(\.name))
        var rest: [String] = []
        while let (_, entry) = timeline.next(dueBy: Timestamp(milliseconds: 5_000)) { rest.append(name(entry)) }
        #expect(rest == order.filter { $0.due > 1_000 || $0.name.hasPrefix("attempt") }.map(\.name))
        #expect(timeline.isEmpty)
    }
}

/// A small deterministic generator for test inputs.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
