/// A sleep that can be cut short: one task sleeps in `sleep(nanoseconds:)`, others `poke()` it
/// awake. A poke while nobody sleeps ends the next sleep at once, so none is lost.
public final class Wakeup: Sendable {
    private struct State: Sendable {
        var sleeper: CheckedContinuation<Void, Never>?
        var timer: Task<Void, Never>?
        var poked = false
    }

    private let state = Locked(State())

    public init() {}

    /// Returns after `nanoseconds` (wall time), or sooner when poked.
    public func sleep(nanoseconds: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let pokedAlready = state.withLock { state -> Bool in
                guard !state.poked else {
                    state.poked = false
                    return true
                }
                state.sleeper = continuation
                state.timer = Task { [self] in
                    try? await Task.sleep(nanoseconds: nanoseconds)
                    wake(cancellingTimer: false)
                }
                return false
            }
            if pokedAlready { continuation.resume() }
        }
    }

    /// Ends the current sleep now, or the next one as soon as it starts.
    public func poke() {
        wake(cancellingTimer: true)
    }

    private func wake(cancellingTimer: Bool) {
        let (sleeper, timer) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Task<Void, Never>?) in
            defer { state.sleeper = nil; state.timer = nil }
            if state.sleeper == nil, cancellingTimer { state.poked = true }
            return (state.sleeper, state.timer)
        }
        if cancellingTimer { timer?.cancel() }
        sleeper?.resume()
    }
}
