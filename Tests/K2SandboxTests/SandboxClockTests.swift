import K2Sandbox
import Synchronization
import Testing

/// A monotonic source the test moves by hand.
final class FakeMonotonic: Sendable {
    let nanoseconds = Atomic<UInt64>(1_000_000_000)
    func advance(seconds: Double) { nanoseconds.add(UInt64(seconds * 1e9), ordering: .relaxed) }
    var source: @Sendable () -> UInt64 { { self.nanoseconds.load(ordering: .relaxed) } }
}

@Suite struct SandboxClockTests {
    let start = Timestamp(iso8601: "2021-01-28T10:00:00+03:00")!

    @Test func manualClockMovesOnlyWhenAdvanced() {
        let wall = FakeMonotonic()
        var clock = SandboxClock(mode: .manual, start: start, monotonicNanoseconds: wall.source)
        wall.advance(seconds: 100)
        #expect(clock.now() == start)
        clock.advance(by: .seconds(5))
        #expect(clock.now() == start + .seconds(5))
        clock.reset()
        #expect(clock.now() == start)
    }

    @Test func realClockFollowsWallTimeTimesScale() {
        let wall = FakeMonotonic()
        let clock = SandboxClock(mode: .real, start: start, scale: 100, monotonicNanoseconds: wall.source)
        wall.advance(seconds: 0.9)
        #expect(clock.now() == start + .seconds(90))
        #expect(clock.wallNanoseconds(until: start + .seconds(100)) == 100_000_000)
    }
}
