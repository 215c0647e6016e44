import Locking
import Synchronization

/// Something that changed in a sandbox, as `GET /__admin/stream` tells it (CONTRACT §4).
public enum SandboxChange: Sendable, Equatable {
    /// A resource was created or reached a stage (`stage` nil for kinds without stages).
    case resource(kind: ResourceKind, id: String, stage: Stage?, at: Timestamp)
    /// A callback or webhook delivery was journalled (`pending`) or an attempt at it ended.
    case delivery(id: Int, outcome: Delivery.Outcome, attempts: Int)
    /// A webhook event fired.
    case event(topic: WebhookTopic, id: String, at: Timestamp)
    /// A K2 API request was answered.
    case request(method: String, path: String, status: Int, at: Timestamp)
    /// The clock moved by an advance (it also moves on its own on a real clock; that is not told).
    case clock(now: Timestamp)
    /// The sandbox went back to its scenario's start.
    case reset
}

/// Who hears about changes. Handlers run on the thread that made the change, just after it,
/// in the order changes happened; they must be quick and must not call back into the sandbox.
public final class ChangeFeed: Sendable {
    /// The handlers by id, and the same handlers as a plain array that publishing takes (a
    /// copy of an array is a retain; building one on every request would be an allocation).
    private let handlers = Locked<(next: Int, all: [(id: Int, handler: @Sendable (SandboxChange) -> Void)],
                                   current: [@Sendable (SandboxChange) -> Void])>((0, [], []))
    /// The handlers' count, read without a lock on every request.
    private let count = Atomic<Int>(0)

    public init() {}

    /// Starts calling `handler` with every change; returns the id that `unsubscribe` takes.
    public func subscribe(_ handler: @escaping @Sendable (SandboxChange) -> Void) -> Int {
        handlers.withLock { state in
            defer { state.next += 1 }
            state.all.append((state.next, handler))
            state.current = state.all.map(\.handler)
            count.store(state.all.count, ordering: .relaxed)
            return state.next
        }
    }

    public func unsubscribe(_ id: Int) {
        handlers.withLock { state in
            state.all.removeAll { $0.id == id }
            state.current = state.all.map(\.handler)
            count.store(state.all.count, ordering: .relaxed)
        }
    }

    /// Whether anyone listens (if not, changes need not even be described).
    public var hasSubscribers: Bool { count.load(ordering: .relaxed) > 0 }

    /// Tells every handler `changes`, in order. The sandbox calls it under its lock.
    func publish(_ changes: [SandboxChange]) {
        guard hasSubscribers else { return }
        let current = handlers.withLock { $0.current }
        for change in changes { for handler in current { handler(change) } }
    }
}
