import K2HTTP
import K2Sandbox
import Locking
import MicroHTTP
import OrderedJSON

private func monotonicMilliseconds() -> UInt64 { SandboxClock.systemMonotonic() / 1_000_000 }

/// `GET /__admin/stream`: every open Server-Sent Events stream, fed from the sandbox's change
/// feed. One subscription serves them all (each change is written once, then sent to each), and
/// only while a stream is open, so with none open changes cost the API nothing. The events are
/// in CONTRACT §4: `resource`, `delivery`, `webhook_event`, `request`, `clock`, `reset`.
final class ChangeStreams: Sendable {
    /// Quiet streams get an SSE comment this often (wall seconds), so a client that went away
    /// is noticed and the connection's idle timeout never ends a live one.
    static let keepAliveSeconds: UInt64 = 15

    /// At most one `request` event per this many wall milliseconds (the latest request): a load
    /// test must not turn into a flood of events, nor open dashboards into a cost per request.
    static let requestEventMilliseconds: UInt64 = 250

    private let sandbox: Sandbox
    private let state = Locked<(streams: [ObjectIdentifier: HTTPStream], subscription: Int?)>(([:], nil))
    /// When the last `request` event went out (monotonic ms), and the latest request held back
    /// since, which goes out when the window ends.
    private let requestEvents = Locked<(lastSent: UInt64, held: SandboxChange?)>((0, nil))

    init(sandbox: Sandbox) {
        self.sandbox = sandbox
    }

    /// Opens a stream: `200`, `text/event-stream`, then a comment so the client sees the head.
    func open() -> HTTPHandling {
        let stream = HTTPStream()
        let key = ObjectIdentifier(stream)
        state.withLock { state in
            state.streams[key] = stream
            if state.subscription == nil {
                state.subscription = sandbox.changes.subscribe { [self] change in
                    if case .request = change, !requestEventDue(change) { return }
                    broadcast(change)
                }
            }
        }
        stream.onClose { [self] in close(key) }
        Task {
            while stream.isOpen {
                try? await Task.sleep(nanoseconds: ChangeStreams.keepAliveSeconds * 1_000_000_000)
                stream.send(Array(": keep-alive\n\n".utf8))
            }
        }
        let head = HTTPResponse(status: 200, headers: HTTPHeaders([
            ("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-store"),
        ]), body: Array("retry: 1000\n: k2mock changes\n\n".utf8))
        return .stream(head, stream)
    }

    private func broadcast(_ change: SandboxChange) {
        let frame = ChangeStreams.frame(change)
        for stream in state.withLock({ Array($0.streams.values) }) { stream.send(frame) }
    }

    /// Whether a `request` event goes out now: the first of a window does; later ones in it are
    /// held, the latest replacing the one before, and sent when the window ends.
    private func requestEventDue(_ change: SandboxChange) -> Bool {
        let now = monotonicMilliseconds()
        let (due, flushIn) = requestEvents.withLock { events -> (Bool, UInt64?) in
            let windowEnd = events.lastSent + ChangeStreams.requestEventMilliseconds
            if now >= windowEnd, events.held == nil {
                events.lastSent = now
                return (true, nil)
            }
            let first = events.held == nil
            events.held = change
            return (false, first ? max(windowEnd, now) - now : nil)
        }
        if let flushIn {
            Task { [self] in
                try? await Task.sleep(nanoseconds: (flushIn + 1) * 1_000_000)
                let held = requestEvents.withLock { events -> SandboxChange? in
                    defer { events.held = nil }
                    events.lastSent = monotonicMilliseconds()
                    return events.held
                }
                if let held { broadcast(held) }
            }
        }
        return due
    }

    /// Ends every open stream (its sandbox was deleted): a dashboard watching it notices at once.
    func closeAll() {
        for stream in state.withLock({ Array($0.streams.values) }) { stream.close() }
    }

    private func close(_ key: ObjectIdentifier) {
        let subscription = state.withLock { state -> Int? in
            state.streams[key] = nil
            guard state.streams.isEmpty else { return nil }
            defer { state.subscription = nil }
            return state.subscription
        }
        if let subscription { sandbox.changes.unsubscribe(subscription) }
    }

    /// One change as an SSE frame: `event: NAME`, `data: JSON`, a blank line.
    static func frame(_ change: SandboxChange) -> [UInt8] {
        let name: String
        let data: JSON
        switch change {
        case .resource(let kind, let id, let stage, let at):
            name = "resource"
            data = ["kind": .string(kind.rawValue), "id": .string(id), "stage": stage.map { .string($0.rawValue) } ?? .null,
                    "at": .string(at.iso8601())]
        case .delivery(let id, let outcome, let attempts):
            name = "delivery"
            data = ["id": .int(id), "outcome": .string(outcome.rawValue), "attempts": .int(attempts)]
        case .event(let topic, let id, let at):
            name = "webhook_event"
            data = ["topic": .string(topic.rawValue), "id": .string(id), "at": .string(at.iso8601())]
        case .request(let method, let path, let status, let at):
            name = "request"
            data = ["method": .string(method), "path": .string(path), "status": .int(status), "at": .string(at.iso8601())]
        case .clock(let now):
            name = "clock"
            data = ["now": .string(now.iso8601())]
        case .reset:
            name = "reset"
            data = [:]
        }
        return Array("event: \(name)\ndata: ".utf8) + data.serialized() + Array("\n\n".utf8)
    }
}
