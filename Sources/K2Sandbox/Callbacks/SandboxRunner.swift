import Locking

/// Drives a sandbox through time and sends what falls due through a transport. On a manual
/// clock `advance` runs stage changes and deliveries strictly in due order, awaiting each
/// delivery (and scheduling its retries) before the next event, so a test sees the same
/// journal every run. On a real clock a background task does the same on time, sending
/// deliveries concurrently. The sandbox's lock is never held while a delivery is in flight.
public final class SandboxRunner: Sendable {
    public let sandbox: Sandbox
    private let transport: any CallbackTransport
    private let advancing = AsyncSerialGate()
    private let realtime = Locked<Task<Void, Never>?>(nil)

    public init(sandbox: Sandbox, transport: any CallbackTransport) {
        self.sandbox = sandbox
        self.transport = transport
    }

    /// Moves time forward by `span`; answers when every stage change and delivery that fell due
    /// (retries included) has run, listing them in the order they ran. Advances run one at a time.
    public func advance(by span: TimeSpan) async -> [RanEvent] {
        await advancing.run {
            let target = sandbox.beginAdvance(by: span)
            var ran: [RanEvent] = []
            while let step = sandbox.nextStep(upTo: target) {
                switch step {
                case .transition(let transition):
                    ran.append(.transition(transition))
                case .event(let event):
                    ran.append(.event(event))
                case .delivery(let job):
                    let result = await transport.send(job)
                    sandbox.record(job, result)
                    ran.append(.delivery(job, result))
                }
            }
            sandbox.endAdvance(at: target)
            return ran
        }
    }

    /// Sends delivery `id` once more, now; nil if there is no such delivery.
    public func redeliver(_ id: Int) async -> Delivery? {
        guard let job = sandbox.redeliveryJob(id) else { return nil }
        let result = await transport.send(job)
        sandbox.record(job, result, retry: false)
        return sandbox.deliveries().first { $0.id == id }
    }

    /// On a real clock: runs events as they fall due until `stop()`. Wakes at least every 20 ms
    /// so that events scheduled meanwhile are not late by more than that.
    public func startRealtime() {
        guard sandbox.clockMode == .real else { return }
        let sandbox = self.sandbox, transport = self.transport
        let loop = Task.detached {
            let ceiling: UInt64 = 20_000_000
            while !Task.isCancelled {
                sandbox.runDueEvents()
                for job in sandbox.popDueDeliveries() {
                    Task.detached {
                        let result = await transport.send(job)
                        sandbox.record(job, result)
                    }
                }
                let wait = min(sandbox.wallNanosecondsUntilNextEvent() ?? ceiling, ceiling)
                try? await Task.sleep(nanoseconds: max(wait, 200_000))
            }
        }
        realtime.withLock { $0 = loop }
    }

    public func stop() {
        realtime.withLock { $0?.cancel(); $0 = nil }
    }
}

/// What ran during an advance.
public enum RanEvent: Sendable {
    case transition(Transition)
    case event(FiredEvent)
    case delivery(DeliveryJob, DeliveryResult)
}

/// Runs async critical sections one at a time, in arrival order, without blocking threads.
final class AsyncSerialGate: Sendable {
    private let state = Locked<(busy: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        await acquire()
        let result = await body()
        release()
        return result
    }

    private func acquire() async {
        await withCheckedContinuation { continuation in
            let granted = state.withLock { state -> Bool in
                if state.busy {
                    state.waiters.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.busy = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
