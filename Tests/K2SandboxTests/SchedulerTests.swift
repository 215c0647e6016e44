@testable import K2Sandbox
import Testing

@Suite struct SchedulerTests {
    @Test func popsInDueOrderAndTiesInSchedulingOrder() {
        var scheduler = Scheduler<String>()
        let t0 = Timestamp(milliseconds: 0)
        scheduler.schedule("c", at: t0 + .seconds(5))
        scheduler.schedule("a", at: t0 + .seconds(1))
        scheduler.schedule("b1", at: t0 + .seconds(3))
        scheduler.schedule("b2", at: t0 + .seconds(3))
        scheduler.schedule("b3", at: t0 + .seconds(3))
        #expect(scheduler.popEntry(dueBy: t0) == nil)
        var order: [String] = []
        while let entry = scheduler.popEntry(dueBy: t0 + .seconds(4)) { order.append(entry.event) }
        #expect(order == ["a", "b1", "b2", "b3"])
        #expect(scheduler.nextDue == t0 + .seconds(5))
    }

    @Test func staysOrderedUnderManyRandomInsertions() {
        var scheduler = Scheduler<Int>()
        var generator = SeededGenerator(seed: 1)
        for index in 0..<500 {
            scheduler.schedule(index, at: Timestamp(milliseconds: Int64(generator.next(upperBound: UInt64(50)))))
        }
        var last: (Int64, Int) = (-1, -1)
        while let entry = scheduler.popEntry(dueBy: Timestamp(milliseconds: 1000)) {
            let (due, event) = (entry.due, entry.event)
            #expect((due.milliseconds, 0) >= (last.0, 0))
            if due.milliseconds == last.0 { #expect(event > last.1) }
            last = (due.milliseconds, event)
        }
        #expect(scheduler.isEmpty)
    }
}
