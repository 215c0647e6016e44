#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How sandbox time moves.
public enum ClockMode: String, Sendable, CaseIterable {
    /// Wall time since the scenario started, times the scale.
    case real
    /// Time moves only when told (`POST /__admin/clock/advance`).
    case manual
}

/// The single source of time for everything in a sandbox. Lives inside the sandbox's locked
/// state; it has no lock of its own.
public struct SandboxClock: Sendable {
    public let mode: ClockMode
    /// Sandbox time at start and after a reset.
    public let start: Timestamp
    /// Sandbox seconds per wall second in real mode.
    public let scale: Double
    /// Nanoseconds from a monotonic source; injectable so real mode is testable without sleeping.
    private let monotonicNanoseconds: @Sendable () -> UInt64
    private var monotonicStart: UInt64
    /// Time added by `advance`, in either mode.
    private var advanced: Int64 = 0
    /// While set, the time `now()` reads in either mode: one section under the sandbox's lock
    /// reads one instant, and a replay reads each command's recorded time.
    private var pinned: Timestamp?

    /// A clock at `start`; a real one moves `scale` sandbox seconds per wall second from now on.
    public init(
        mode: ClockMode, start: Timestamp, scale: Double = 1,
        monotonicNanoseconds: @escaping @Sendable () -> UInt64 = SandboxClock.systemMonotonic
    ) {
        self.mode = mode
        self.start = start
        self.scale = scale
        self.monotonicNanoseconds = monotonicNanoseconds
        self.monotonicStart = monotonicNanoseconds()
    }

    /// The longest one advance may move the clock (sandbox seconds): about 317 years, so that
    /// sandbox time stays within four-digit years in its ISO 8601 form.
    public static let maxAdvanceSeconds: Double = 1e10

    /// Sandbox time now.
    public func now() -> Timestamp {
        if let pinned { return pinned }
        switch mode {
        case .manual:
            return Timestamp(milliseconds: start.milliseconds + advanced)
        case .real:
            let elapsed = Double(monotonicNanoseconds() &- monotonicStart) / 1_000_000 * scale
            return Timestamp(milliseconds: start.milliseconds + advanced + Int64(elapsed))
        }
    }

    /// Moves time forward (manual mode's only way forward; in real mode a jump ahead).
    /// A held clock holds the new instant.
    public mutating func advance(by span: TimeSpan) {
        advanced += max(0, span.milliseconds)
        if let held = pinned { pinned = held + TimeSpan(milliseconds: max(0, span.milliseconds)) }
    }

    /// Moves time forward to `target` if it is ahead (manual mode's advance to an exact time).
    public mutating func advance(to target: Timestamp) {
        let behind = target.milliseconds - now().milliseconds
        guard behind > 0 else { return }
        advanced += behind
        if pinned != nil { pinned = target }
    }

    /// Back to `start`.
    public mutating func reset() {
        advanced = 0
        pinned = nil
        monotonicStart = monotonicNanoseconds()
    }

    /// Reads `now()` once and holds it until `release()`; returns it.
    public mutating func hold() -> Timestamp {
        let now = now()
        pinned = now
        return now
    }

    /// Holds the clock at `time` until `release()` or `resume(at:)` (a replay).
    public mutating func pin(_ time: Timestamp) {
        pinned = time
    }

    /// Lets the clock move again from where it was held.
    public mutating func release() {
        pinned = nil
    }

    /// Sets the clock to read `time` now; a real clock moves on from there (a restart).
    public mutating func resume(at time: Timestamp) {
        pinned = nil
        advanced = time.milliseconds - start.milliseconds
        monotonicStart = monotonicNanoseconds()
    }

    /// Wall nanoseconds until sandbox time reaches `target` in real mode (nil in manual mode).
    public func wallNanoseconds(until target: Timestamp) -> UInt64? {
        guard mode == .real, scale > 0 else { return nil }
        let remaining = target.milliseconds - now().milliseconds
        guard remaining > 0 else { return 0 }
        return UInt64(Double(remaining) * 1_000_000 / scale)
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    public static let systemMonotonic: @Sendable () -> UInt64 = {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
