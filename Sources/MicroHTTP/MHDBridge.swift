// Everything that touches libmicrohttpd's C callbacks lives in this file, and it is not
// main.swift: C callbacks defined at top level there would be inferred @MainActor and trap
// on the server's threads. The three unchecked escape hatches (RequestState, ConnectionRef,
// noBodyMarker) stay private to this file.
import CMicroHTTPD
import Dispatch
import Locking
import Synchronization

/// Immutable state shared by every callback of one daemon.
final class ServerContext: Sendable {
    let handler: @Sendable (HTTPRequest) -> HTTPHandling
    let errorResponse: @Sendable (Int, String) -> HTTPResponse
    let maxBodyBytes: Int
    /// Requests between their first access-handler call and their completion notice.
    let requestsInFlight = Atomic<Int>(0)
    let deferrals = Deferrals()

    init(
        handler: @escaping @Sendable (HTTPRequest) -> HTTPHandling,
        errorResponse: @escaping @Sendable (Int, String) -> HTTPResponse,
        maxBodyBytes: Int
    ) {
        self.handler = handler
        self.errorResponse = errorResponse
        self.maxBodyBytes = maxBodyBytes
    }
}

/// Per-request state kept in `*con_cls` when a request has a body or is deferred. Only one
/// thread touches it at a time: MHD's, or (while the connection is suspended) whoever resumes
/// it; MHD_resume_connection orders that write before MHD's next read.
fileprivate final class RequestState: @unchecked Sendable {
    var body: [UInt8] = []
    var oversized = false
    var suspended = false
    var response: HTTPResponse?
}

/// A suspended connection, kept until it is resumed.
fileprivate struct ConnectionRef: @unchecked Sendable {
    let raw: OpaquePointer
}

/// The connections suspended for deferred handlers, the open streams (whose connections suspend
/// while they are empty), and whether the server is stopping.
/// libmicrohttpd aborts the process when a daemon is stopped while a connection is still
/// suspended (and a late resume would touch freed memory), so suspending, resuming and
/// stopping meet under this one lock: once stopping, no connection is suspended any more, and
/// whatever is still waiting is answered and resumed before the daemon stops.
final class Deferrals: Sendable {
    fileprivate struct Pending: Sendable {
        let state: RequestState
        let connection: ConnectionRef

        /// Hands MHD the response and wakes the connection; the caller holds the book's lock.
        func answer(with response: HTTPResponse) {
            state.response = response
            MHD_resume_connection(connection.raw)
        }
    }

    /// `book.stopping`, readable without the lock on every response.
    private let stopping = Atomic<Bool>(false)
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    private let book = Locked<(stopping: Bool, nextID: Int, pending: [Int: Pending], streams: [ObjectIdentifier: HTTPStream])>(
        (false, 0, [:], [:]))

    /// Suspends `connection` until `resume(id, ...)`; nil (and not suspended) once stopping.
    fileprivate func suspend(_ connection: OpaquePointer, state: RequestState) -> Int? {
        book.withLock { book -> Int? in
            guard !book.stopping else { return nil }
            let id = book.nextID
            book.nextID += 1
            book.pending[id] = Pending(state: state, connection: ConnectionRef(raw: connection))
            MHD_suspend_connection(connection)
            return id
        }
    }

    /// Answers deferral `id` and resumes its connection, unless the server already answered it
    /// while stopping (the connection may be gone by now; it is not touched).
    func resume(_ id: Int, with response: HTTPResponse) {
        book.withLock { book in
            book.pending.removeValue(forKey: id)?.answer(with: response)
        }
    }

    /// From now on deferred handlers are not started and streams not opened; the request is
    /// answered at once instead. Open streams end (their connections finish what is queued).
    func beginStopping() {
        let streams = book.withLock { book -> [HTTPStream] in
            book.stopping = true
            stopping.store(true, ordering: .releasing)
            defer { book.streams = [:] }
            return Array(book.streams.values)
        }
        for stream in streams { stream.close() }
    }

    /// Keeps `stream` to be ended when the server stops; false once stopping.
    func open(_ stream: HTTPStream) -> Bool {
        book.withLock { book in
            guard !book.stopping else { return false }
            book.streams[ObjectIdentifier(stream)] = stream
            return true
        }
    }

    /// Forgets a stream whose connection is done.
    func forget(_ stream: HTTPStream) {
        _ = book.withLock { $0.streams.removeValue(forKey: ObjectIdentifier(stream)) }
    }

    /// Answers every deferral still waiting with `response` and resumes its connection.
    /// Returns how many there were.
    func abandonAll(with response: HTTPResponse) -> Int {
        book.withLock { book -> Int in
            let abandoned = book.pending.values
            book.pending = [:]
            for pending in abandoned { pending.answer(with: response) }
            return abandoned.count
        }
    }
}

/// The largest oversized body read (and dropped) so that its sender reads the 413; larger
/// declared bodies are refused at once.
private let discardLimit = 64 << 20

/// Marks a body-less request in `*con_cls` without allocating. Answering on the first
/// access-handler call would make MHD close the connection after the response.
nonisolated(unsafe) private let noBodyMarker = UnsafeMutableRawPointer(bitPattern: 1)!

let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, conCls in
    guard let cls, let connection, let conCls, let uploadSize else { return .NO }
    // Lent, not retained (the server holds its context while the daemon runs): a retain and a
    // release per call, on an object both threads share.
    return Unmanaged<ServerContext>.fromOpaque(cls)._withUnsafeGuaranteedRef { context in
        access(context, connection, url, method, uploadData, uploadSize, conCls)
    }
}

private func access(
    _ context: ServerContext, _ connection: OpaquePointer, _ url: UnsafePointer<CChar>?, _ method: UnsafePointer<CChar>?,
    _ uploadData: UnsafePointer<CChar>?, _ uploadSize: UnsafeMutablePointer<Int>,
    _ conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>
) -> MHD_Result {
    // First call: headers only.
    guard let current = conCls.pointee else {
        context.requestsInFlight.add(1, ordering: .relaxed)
        conCls.pointee = noBodyMarker
        if let length = lookupHeader(connection, "Content-Length").flatMap({ Int($0) }),
           length > context.maxBodyBytes {
            // A client that asked `Expect: 100-continue` has sent no body: refuse at once. Any
            // other is sending it now, and closing on it would reset the connection before it
            // reads the answer: read the body and drop it, then answer (up to a bound; past it,
            // refuse at once and close).
            let expectsContinue = lookupHeader(connection, "Expect")?.lowercased() == "100-continue"
            if expectsContinue || length > discardLimit {
                return queue(tooLarge(context), on: connection, context)
            }
            requestState(conCls).oversized = true
        }
        return .YES
    }

    // Body chunks.
    if uploadSize.pointee > 0 {
        let state = requestState(conCls)
        let size = uploadSize.pointee
        if !state.oversized, let uploadData {
            if state.body.count + size > context.maxBodyBytes {
                state.oversized = true
                state.body = []
            } else {
                uploadData.withMemoryRebound(to: UInt8.self, capacity: size) {
                    state.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: size))
                }
            }
        }
        uploadSize.pointee = 0
        return .YES
    }

    // Final call, or the call after a deferred handler resumed the connection.
    let state = current == noBodyMarker ? nil : Unmanaged<RequestState>.fromOpaque(current).takeUnretainedValue()
    if let state, state.suspended {
        guard let response = state.response else { return .NO }
        return queue(response, on: connection, context)
    }
    if let state, state.oversized {
        return queue(tooLarge(context), on: connection, context)
    }
    let path: String, headers: Fields
    if let memory = k2_socket_context(connection) {
        // Lent too: the connection holds its memory until it closes.
        (path, headers) = Unmanaged<ConnectionMemory>.fromOpaque(memory)._withUnsafeGuaranteedRef { memory in
            (url.map { memory.path($0) } ?? "/", memory.headers(of: connection))
        }
    } else {
        (path, headers) = (url.map { String(cString: $0) } ?? "/", connectionValues(connection, .HEADER_KIND))
    }
    let request = HTTPRequest(
        method: method.map { String(cString: $0) } ?? "GET", path: path, query: connectionValues(connection, .GET_ARGUMENT_KIND),
        headers: HTTPHeaders(headers), body: state?.body ?? [])
    switch context.handler(request) {
    case .respond(let response):
        return queue(response, on: connection, context)
    case .deferred(let work):
        return suspend(connection, conCls, context, work) {
            queue(context.errorResponse(503, "The server is shutting down"), on: connection, context)
        }
    case .committed(let work):
        return suspend(connection, conCls, context, work) {
            queue(awaitOnThisThread(work), on: connection, context)
        }
    case .stream(let head, let stream):
        guard context.deferrals.open(stream) else {
            return queue(context.errorResponse(503, "The server is shutting down"), on: connection, context)
        }
        return queueStream(head, stream, context: context, on: connection)
    }
}

/// What a streamed response's callbacks need: the stream, its connection, the server's book.
private final class StreamBinding: @unchecked Sendable {
    let stream: HTTPStream
    let connection: OpaquePointer
    let deferrals: Deferrals

    init(stream: HTTPStream, connection: OpaquePointer, deferrals: Deferrals) {
        self.stream = stream
        self.connection = connection
        self.deferrals = deferrals
    }
}

private func queueStream(_ head: HTTPResponse, _ stream: HTTPStream, context: ServerContext,
                         on connection: OpaquePointer) -> MHD_Result {
    if !head.body.isEmpty {
        stream.state.withLock { $0.buffer.insert(contentsOf: head.body, at: $0.sentUpTo) }
    }
    let binding = Unmanaged.passRetained(StreamBinding(stream: stream, connection: connection, deferrals: context.deferrals))
    // Size unknown (MHD_SIZE_UNKNOWN): sent chunked, ended by the reader.
    guard let response = MHD_create_response_from_callback(UInt64.max, 4096, streamReader, binding.toOpaque(), streamDone) else {
        binding.release()
        context.deferrals.forget(stream)
        return .NO
    }
    for field in head.headers.fields {
        addHeader(field, to: response)
    }
    let result = MHD_queue_response(connection, UInt32(head.status), response)
    MHD_destroy_response(response)
    return result
}

/// Hands MHD the stream's next bytes; with none, suspends the connection until `send` or
/// `close` resumes it (the suspension happens under the stream's lock, so no wake-up is lost).
private let streamReader: MHD_ContentReaderCallback = { cls, _, buffer, max in
    guard let cls, let buffer else { return -1 }
    let binding = Unmanaged<StreamBinding>.fromOpaque(cls).takeUnretainedValue()
    return binding.stream.state.withLock { state -> Int in
        let available = state.buffer.count - state.sentUpTo
        if available > 0 {
            let count = min(available, max)
            state.buffer.withUnsafeBytes { bytes in
                UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + state.sentUpTo, byteCount: count)
            }
            state.sentUpTo += count
            if state.sentUpTo == state.buffer.count {
                state.buffer.removeAll(keepingCapacity: true)
                state.sentUpTo = 0
            } else if state.sentUpTo >= 64 * 1024 {
                // A reader always a little behind: drop what went out, or the buffer only grows.
                state.buffer.removeFirst(state.sentUpTo)
                state.sentUpTo = 0
            }
            return count
        }
        if state.closed { return -1 }  // MHD_CONTENT_READER_END_OF_STREAM
        state.waiting = binding.connection
        MHD_suspend_connection(binding.connection)
        return 0
    }
}

/// The response is gone (its connection finished or broke): the stream ends.
private let streamDone: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    let binding = Unmanaged<StreamBinding>.fromOpaque(cls).takeRetainedValue()
    binding.stream.state.withLock { $0.waiting = nil }
    binding.stream.close()
    binding.deferrals.forget(binding.stream)
}

/// Resumes a stream's suspended connection (libmicrohttpd allows this from any thread).
func resumeStreamConnection(_ connection: OpaquePointer) {
    MHD_resume_connection(connection)
}

let requestCompleted: MHD_RequestCompletedCallback = { cls, _, conCls, _ in
    guard let cls, let conCls, let current = conCls.pointee else { return }
    if current != noBodyMarker {
        Unmanaged<RequestState>.fromOpaque(current).release()
    }
    conCls.pointee = nil
    Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
        .requestsInFlight.subtract(1, ordering: .releasing)
}

/// Suspends `connection` while `work` runs as a task, then answers with its response; once the
/// server is stopping, answers `whenStopping()` instead.
private func suspend(
    _ connection: OpaquePointer, _ conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>, _ context: ServerContext,
    _ work: @escaping @Sendable () async -> HTTPResponse, whenStopping: () -> MHD_Result
) -> MHD_Result {
    let state = requestState(conCls)
    state.suspended = true
    guard let id = context.deferrals.suspend(connection, state: state) else {
        state.suspended = false
        return whenStopping()
    }
    let deferrals = context.deferrals
    Task { deferrals.resume(id, with: await work()) }
    return .YES
}

/// Runs `work` as a task and blocks this (libmicrohttpd's) thread until it returns.
private func awaitOnThisThread(_ work: @escaping @Sendable () async -> HTTPResponse) -> HTTPResponse {
    let answer = Locked<HTTPResponse?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let response = await work()
        answer.withLock { $0 = response }
        done.signal()
    }
    done.wait()
    return answer.withLock { $0 } ?? HTTPResponse(status: 500)
}

/// The request's state, allocated on first need (a GET may carry a body too).
private func requestState(_ conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> RequestState {
    if let current = conCls.pointee, current != noBodyMarker {
        return Unmanaged<RequestState>.fromOpaque(current).takeUnretainedValue()
    }
    let state = RequestState()
    conCls.pointee = Unmanaged.passRetained(state).toOpaque()
    return state
}

private func tooLarge(_ context: ServerContext) -> HTTPResponse {
    context.errorResponse(413, "Request body is larger than \(context.maxBodyBytes) bytes")
}

/// Queues `response` on `connection`; once the server is stopping, with `Connection: close`, so
/// that a keep-alive client gets its answer and then finds the server gone rather than holding
/// the stop up until the drain timeout.
private func queue(_ response: HTTPResponse, on connection: OpaquePointer, _ context: ServerContext) -> MHD_Result {
    let mhdResponse = response.body.withUnsafeBytes { bytes in
        MHD_create_response_from_buffer(
            bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
    }
    guard let mhdResponse else { return .NO }
    for field in response.headers.fields {
        addHeader(field, to: mhdResponse)
    }
    if context.deferrals.isStopping {
        _ = MHD_add_response_header(mhdResponse, "Connection", "close")
    }
    let result = MHD_queue_response(connection, UInt32(response.status), mhdResponse)
    MHD_destroy_response(mhdResponse)
    return result
}

/// Through `withCString`: passing a String where C wants a pointer copies a short (inline)
/// string to the heap, and "Content-Type" is one.
private func addHeader(_ field: (name: String, value: String), to response: OpaquePointer) {
    field.name.withCString { name in
        field.value.withCString { value in _ = MHD_add_response_header(response, name, value) }
    }
}

private func lookupHeader(_ connection: OpaquePointer, _ name: String) -> String? {
    MHD_lookup_connection_value(connection, .HEADER_KIND, name).map { String(cString: $0) }
}

private typealias Fields = [(name: String, value: String)]

private func connectionValues(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> Fields {
    var fields: Fields = []
    // Counted first: one allocation rather than one per doubling (none for no query).
    let count = MHD_get_connection_values(connection, kind, nil, nil)
    guard count > 0 else { return fields }
    fields.reserveCapacity(Int(count))
    withUnsafeMutablePointer(to: &fields) { pointer in
        _ = MHD_get_connection_values(connection, kind, collectValue, pointer)
    }
    return fields
}

/// What a keep-alive connection's last request was sent with. A client sends the same path
/// and headers request after request (polling one payment), and strings equal to these are
/// reused rather than copied out of libmicrohttpd's buffers and checked as UTF-8 again: a GET
/// then allocates no string for its path or headers. Only the connection's own thread (the one
/// running its access handler) touches it.
private final class ConnectionMemory: @unchecked Sendable {
    private var lastPath = ""
    private var lastHeaders: Fields = []

    /// The path `url` names, the last one's string when its bytes are the same.
    func path(_ url: UnsafePointer<CChar>) -> String {
        if !sameBytes(lastPath, url, strlen(url)) { lastPath = String(cString: url) }
        return lastPath
    }

    /// The request's header fields, the last request's strings (and array) where the same.
    func headers(of connection: OpaquePointer) -> Fields {
        var reading = HeaderReading(last: lastHeaders)
        withUnsafeMutablePointer(to: &reading) { _ = MHD_get_connection_values_n(connection, .HEADER_KIND, readHeader, $0) }
        if let fresh = reading.fresh {
            lastHeaders = fresh
        } else if reading.index < lastHeaders.count {
            lastHeaders.removeSubrange(reading.index...)
        }
        return lastHeaders
    }
}

/// Headers read against the last request's: `fresh` exists once one differs.
private struct HeaderReading {
    let last: Fields
    var fresh: Fields?
    var index = 0
}

private let readHeader: MHD_KeyValueIteratorN = { cls, _, key, keySize, value, valueSize in
    guard let cls, let key else { return .YES }
    let reading = cls.assumingMemoryBound(to: HeaderReading.self)
    let index = reading.pointee.index
    reading.pointee.index += 1
    let known = index < reading.pointee.last.count
    let sameName = known && sameBytes(reading.pointee.last[index].name, key, keySize)
    let sameValue = known && sameBytes(reading.pointee.last[index].value, value, valueSize)
    if sameName, sameValue, reading.pointee.fresh == nil { return .YES }
    if reading.pointee.fresh == nil {
        reading.pointee.fresh = Array(reading.pointee.last.prefix(index))
        reading.pointee.fresh!.reserveCapacity(reading.pointee.last.count + 1)
    }
    reading.pointee.fresh!.append((
        sameName ? reading.pointee.last[index].name : text(key, keySize),
        sameValue ? reading.pointee.last[index].value : value.map { text($0, valueSize) } ?? ""))
    return .YES
}

/// `size` bytes at `bytes` as a string (invalid UTF-8 repaired, as `String(cString:)` does).
private func text(_ bytes: UnsafePointer<CChar>, _ size: Int) -> String {
    bytes.withMemoryRebound(to: UInt8.self, capacity: size) { String(decoding: UnsafeBufferPointer(start: $0, count: size), as: UTF8.self) }
}

/// Whether `string` holds exactly these bytes (a missing value: the empty string). Inlined:
/// called, it had each string it read from the last request's array retained and released.
@inline(__always)
private func sameBytes(_ string: String, _ bytes: UnsafePointer<CChar>?, _ size: Int) -> Bool {
    guard string.utf8.count == size else { return false }
    guard let bytes, size > 0 else { return true }
    return string.withUTF8Bytes { memcmp($0.baseAddress!, bytes, size) == 0 }
}

/// Keeps a `ConnectionMemory` for each connection while it is open.
let connectionNotified: MHD_NotifyConnectionCallback = { _, _, socketContext, code in
    guard let socketContext else { return }
    switch code {
    case .CONNECTION_NOTIFY_STARTED:
        socketContext.pointee = Unmanaged.passRetained(ConnectionMemory()).toOpaque()
    case .CONNECTION_NOTIFY_CLOSED:
        if let memory = socketContext.pointee { Unmanaged<ConnectionMemory>.fromOpaque(memory).release() }
        socketContext.pointee = nil
    default:
        break
    }
}

private let collectValue: MHD_KeyValueIterator = { cls, _, key, value in
    guard let cls, let key else { return .YES }
    let fields = cls.assumingMemoryBound(to: Fields.self)
    fields.pointee.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
    return .YES
}
