import Locking

/// A sandbox bound to the transport that sends its deliveries: `advance` for `clock/advance`,
/// `redeliver` for the journal's button, and on a real clock a background task that runs what
/// falls due on time, sending attempts concurrently. The sandbox's lock is never held while a
/// delivery is in flight.
public final class SandboxRunner: Sendable {
    public let sandbox: Sandbox
    private let transport: any CallbackTransport
    private let realtime = Locked<(task: Task<Void, Never>?, stopped: Bool)>((nil, false))
    /// Attempts the real clock started whose outcome is not recorded yet.
    private let attemptsInFlight = Locked(0)

    /// Binds `sandbox` to `transport`; call `startRealtime()` to run a real clock.
    public init(sandbox: Sandbox, transport: any CallbackTransport) {
        self.sandbox = sandbox
        self.transport = transport
    }

    /// `Sandbox.advance(by:deliver:)` through this runner's transport; once stopped, nothing
    /// moves and the answer says so.
    public func advance(by span: TimeSpan) async -> Advance {
        if realtime.withLock({ $0.stopped }) { return Advance(happened: [], stoppedShortAt: sandbox.now()) }
        return await sandbox.advance(by: span, deliver: transport.send)
    }

    /// Sends delivery `id` once more, now, without retries; nil if there is no such delivery.
    public func redeliver(_ id: Int) async -> Delivery? {
        guard let job = sandbox.redeliveryJob(id) else { return nil }
        let result = await transport.send(job)
        sandbox.record(job, result)
        return sandbox.deliveries().first { $0.id == id }
    }

    /// On a real clock: runs what falls due until `stop()`. Sleeps until the next entry falls
    /// due; a command that schedules something sooner wakes it (`Sandbox.onSoonerDue`), and it
    /// wakes at least once a second (wall time) whatever happens, so an idle sandbox costs
    /// almost nothing.
    public func startRealtime() {
        guard sandbox.clockMode == .real else { return }
        let sandbox = self.sandbox, transport = self.transport, attemptsInFlight = self.attemptsInFlight
        let wakeup = Wakeup()
        sandbox.onSoonerDue { wakeup.poke() }
        let loop = Task.detached {
            let ceiling: UInt64 = 1_000_000_000
            while !Task.isCancelled {
                for job in sandbox.takeDueAttempts() {
                    attemptsInFlight.withLock { $0 += 1 }
                    Task.detached {
                        let result = await transport.send(job)
                        sandbox.record(job, result)
                        attemptsInFlight.withLock { $0 -= 1 }
                    }
                }
                let wait = min(sandbox.wallNanosecondsUntilNextDue() ?? ceiling, ceiling)
                await wakeup.sleep(nanoseconds: max(wait, 200_000))
            }
        }
        realtime.withLock { $0.task = loop }
    }

    /// Blocks until every attempt the real clock started has its outcome recorded, for at most
    /// `seconds` of wall time. Call it once the transport has stopped (they end at once then),
    /// before the journal closes: an outcome recorded after that would be lost, and the next
    /// start would take the attempt for one a crash interrupted.
    public func waitForAttemptsInFlight(upTo seconds: Double) {
        waitUntil(upTo: seconds) { attemptsInFlight.withLock { $0 } == 0 }
    }

    /// Stops the real-clock task and refuses further advances; attempts in flight finish on
    /// their own (`waitForAttemptsInFlight`).
    public func stop() {
        realtime.withLock { state in
            state.stopped = true
            state.task?.cancel()
            state.task = nil
            sandbox.onSoonerDue(nil)
        }
    }
}
