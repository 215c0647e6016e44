import K2Sandbox
import Synchronization

/// On a real clock, runs the sandbox's events when they fall due, without waiting for a
/// request to notice. Sleeps in a task (no thread held), at most 20 ms at a time so an
/// event scheduled meanwhile is picked up promptly.
final class RealtimeDriver: Sendable {
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    func start(_ sandbox: Sandbox) {
        let loop = Task.detached {
            let ceiling: UInt64 = 20_000_000
            while !Task.isCancelled {
                let wait = min(sandbox.wallNanosecondsUntilNextEvent() ?? ceiling, ceiling)
                try? await Task.sleep(nanoseconds: max(wait, 500_000))
                sandbox.runDueEvents()
            }
        }
        task.withLock { $0 = loop }
    }

    func stop() {
        task.withLock { $0?.cancel(); $0 = nil }
    }
}
