// Everything that touches libmicrohttpd's C callbacks lives in this file, and it is not
// main.swift: C callbacks defined at top level there would be inferred @MainActor and trap
// on the server's threads. The three unchecked escape hatches (RequestState, ConnectionRef,
// noBodyMarker) stay private to this file.
import CMicroHTTPD
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

/// The connections suspended for deferred handlers, and whether the server is stopping.
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

    private let book = Locked<(stopping: Bool, nextID: Int, pending: [Int: Pending])>((false, 0, [:]))

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

    /// From now on deferred handlers are not started; the request is answered at once instead.
    func beginStopping() {
        book.withLock { $0.stopping = true }
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

/// Marks a body-less request in `*con_cls` without allocating. Answering on the first
/// access-handler call would make MHD close the connection after the response.
nonisolated(unsafe) private let noBodyMarker = UnsafeMutableRawPointer(bitPattern: 1)!

let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadSize, conCls in
    guard let cls, let connection, let conCls, let uploadSize else { return .NO }
    let context = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()

    // First call: headers only.
    guard let current = conCls.pointee else {
        context.requestsInFlight.add(1, ordering: .relaxed)
        conCls.pointee = noBodyMarker
        if let length = lookupHeader(connection, "Content-Length").flatMap({ Int($0) }),
           length > context.maxBodyBytes {
            // Refuse before reading it; MHD closes the connection after this answer.
            return queue(tooLarge(context), on: connection)
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
        return queue(response, on: connection)
    }
    if let state, state.oversized {
        return queue(tooLarge(context), on: connection)
    }
    let request = HTTPRequest(
        method: method.map { String(cString: $0) } ?? "GET",
        path: url.map { String(cString: $0) } ?? "/",
        query: connectionValues(connection, .GET_ARGUMENT_KIND),
        headers: HTTPHeaders(connectionValues(connection, .HEADER_KIND)),
        body: state?.body ?? [])
    switch context.handler(request) {
    case .respond(let response):
        return queue(response, on: connection)
    case .deferred(let work):
        let state = requestState(conCls)
        state.suspended = true
        guard let id = context.deferrals.suspend(connection, state: state) else {
            state.suspended = false
            return queue(context.errorResponse(503, "The server is shutting down"), on: connection)
        }
        let deferrals = context.deferrals
        Task { deferrals.resume(id, with: await work()) }
        return .YES
    }
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

private func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
    let mhdResponse = response.body.withUnsafeBytes { bytes in
        MHD_create_response_from_buffer(
            bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
    }
    guard let mhdResponse else { return .NO }
    for field in response.headers.fields {
        _ = MHD_add_response_header(mhdResponse, field.name, field.value)
    }
    let result = MHD_queue_response(connection, UInt32(response.status), mhdResponse)
    MHD_destroy_response(mhdResponse)
    return result
}

private func lookupHeader(_ connection: OpaquePointer, _ name: String) -> String? {
    MHD_lookup_connection_value(connection, .HEADER_KIND, name).map { String(cString: $0) }
}

private typealias Fields = [(name: String, value: String)]

private func connectionValues(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> Fields {
    var fields: Fields = []
    withUnsafeMutablePointer(to: &fields) { pointer in
        _ = MHD_get_connection_values(connection, kind, collectValue, pointer)
    }
    return fields
}

private let collectValue: MHD_KeyValueIterator = { cls, _, key, value in
    guard let cls, let key else { return .YES }
    let fields = cls.assumingMemoryBound(to: Fields.self)
    fields.pointee.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
    return .YES
}
