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
}
