import Locking

/// A response body written over time, for Server-Sent Events: the handler answers
/// `.stream(head, stream)` and keeps the stream; `send` appends bytes that go out as the
/// client reads them. The connection waits suspended (holding no server thread) while there is
/// nothing to send. A client that went away is noticed on the next write, so a stream that may
/// stay quiet should send something (an SSE comment) now and then.
public final class HTTPStream: Sendable {
    /// Bytes waiting to be sent beyond this end the stream: a client that does not read is
    /// dropped rather than held in memory.
    public static let maxBufferedBytes = 1 << 20

    struct State: @unchecked Sendable {  // `waiting` is only used under the lock
        var buffer: [UInt8] = []
        var sentUpTo = 0
        var closed = false
        /// The connection, while it waits suspended for bytes.
        var waiting: OpaquePointer?
        var onClose: [@Sendable () -> Void] = []
    }

    let state = Locked(State())

    public init() {}

    /// Queues `bytes`; false (and nothing queued) once the stream has ended.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        let (outcome, waiting) = state.withLock { state -> (Bool?, OpaquePointer?) in
            guard !state.closed else { return (nil, nil) }
            if state.buffer.count - state.sentUpTo + bytes.count > HTTPStream.maxBufferedBytes {
                return (true, nil)
            }
            state.buffer.append(contentsOf: bytes)
            return (false, state.takeWaiting())
        }
        if let waiting { resumeStreamConnection(waiting) }
        if outcome == true { close() }
        return outcome == false
    }

    /// Ends the stream once what is queued has been sent. Safe to call more than once.
    public func close() {
        let (handlers, waiting) = state.withLock { state -> ([@Sendable () -> Void], OpaquePointer?) in
            guard !state.closed else { return ([], nil) }
            state.closed = true
            defer { state.onClose = [] }
            return (state.onClose, state.takeWaiting())
        }
        // Resumed outside the lock: the server's thread takes the lock while it suspends.
        if let waiting { resumeStreamConnection(waiting) }
        handlers.forEach { $0() }
    }

    /// Whether the stream still takes bytes.
    public var isOpen: Bool { state.withLock { !$0.closed } }

    /// Runs `handler` once the stream ends (closed by either side or by the server stopping);
    /// at once if it already has.
    public func onClose(_ handler: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.closed { return true }
            state.onClose.append(handler)
            return false
        }
        if now { handler() }
    }
}

extension HTTPStream.State {
    /// The suspended connection, if any, now no longer waiting: the caller resumes it.
    mutating func takeWaiting() -> OpaquePointer? {
        defer { waiting = nil }
        return waiting
    }
}
