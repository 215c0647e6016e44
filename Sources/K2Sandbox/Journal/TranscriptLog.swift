#if canImport(Glibc)
import Glibc
#endif

/// One K2 API request and its answer, as the transcript keeps them: the bytes (a body past
/// `bodyLimit` is kept cut, with its length), every header (the transcript writes only those
/// that matter).
public struct Exchange: Sendable {
    /// The most of one body a transcript keeps: K2's bodies are a few kB; a megabyte upload is
    /// not worth keeping ten thousand of.
    public static let bodyLimit = 64 << 10

    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    public var requestHeaders: [(name: String, value: String)]
    public var requestBody: [UInt8]
    /// The request body's length as sent (more than `requestBody.count` when it was cut).
    public var requestBodyLength: Int
    public var status: Int
    public var responseHeaders: [(name: String, value: String)]
    public var responseBody: [UInt8]
    public var responseBodyLength: Int
    /// The scenario's fault that answered it or held it back, if one did.
    public var fault: FaultNote?

    public init(
        method: String, path: String, query: [(name: String, value: String)], requestHeaders: [(name: String, value: String)],
        requestBody: [UInt8], status: Int, responseHeaders: [(name: String, value: String)], responseBody: [UInt8],
        fault: FaultNote? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody.count > Self.bodyLimit ? Array(requestBody.prefix(Self.bodyLimit)) : requestBody
        self.requestBodyLength = requestBody.count
        self.status = status
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody.count > Self.bodyLimit ? Array(responseBody.prefix(Self.bodyLimit)) : responseBody
        self.responseBodyLength = responseBody.count
        self.fault = fault
    }

    /// Bytes of body it holds.
    var size: Int { requestBody.count + responseBody.count }
}

/// What happened in a sandbox, in the order it happened, for `GET /__admin/transcript`.
public enum TranscriptEntry: Sendable {
    /// K2 API request `request` (its id in the request journal) answered at sandbox time `at`.
    case exchange(at: Timestamp, request: Int, Exchange)
    /// Attempt `attempt` (1-based) of delivery `deliveryID` ended; the delivery journal holds it.
    case attempt(deliveryID: Int, attempt: Int)
    /// The clock was moved by an advance, from one sandbox time to another.
    case clock(from: Timestamp, to: Timestamp)
}

/// An exchange as the transcript holds it: one box, shared by the entries of equal exchanges.
final class KeptExchange: @unchecked Sendable {
    /// Behind a pointer, so that its parts are read in place: read from a stored property, each
    /// part was copied (a retain and a release) on every request compared. Never mutated.
    private let storage: UnsafeMutablePointer<Exchange>

    init(_ exchange: consuming Exchange) {
        storage = .allocate(capacity: 1)
        storage.initialize(to: exchange)
    }

    deinit {
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    var exchange: Exchange { storage.pointee }
    var path: String { storage.pointee.path }
    var size: Int { storage.pointee.size }

    /// Whether these are its parts, byte for byte (a body it keeps cut compared by its length
    /// as sent and the part kept). Each part is read in place: calling a method of the whole
    /// `exchange` copied it (a retain and a release a part).
    func matches(
        method: String, path: String, query: [(name: String, value: String)], requestHeaders: [(name: String, value: String)],
        requestBody: [UInt8], status: Int, responseHeaders: [(name: String, value: String)], responseBody: [UInt8],
        fault: FaultNote?
    ) -> Bool {
        let kept = UnsafePointer(storage)
        return kept.pointee.status == status && kept.pointee.fault == fault && sameText(kept.pointee.path, path)
            && sameText(kept.pointee.method, method)
            && sameBody(requestBody, kept: kept.pointee.requestBody, length: kept.pointee.requestBodyLength)
            && sameBody(responseBody, kept: kept.pointee.responseBody, length: kept.pointee.responseBodyLength)
            && samePairs(kept.pointee.requestHeaders, requestHeaders) && samePairs(kept.pointee.query, query)
            && samePairs(kept.pointee.responseHeaders, responseHeaders)
    }
}

/// The transcript's entries, in a ring: the latest 10,000 are kept, and fewer when their bodies
/// pass 32 MiB in all; a full ring overwrites its oldest entry in place, so a long run moves
/// nothing. `dropped` counts the entries that went. Not kept in a data directory: a restarted
/// sandbox's transcript starts at the restart.
struct TranscriptLog: Sendable {
    static let capacity = 10_000
    static let byteBudget = 32 << 20
    /// An entry without its exchange: 24 bytes, where a `TranscriptEntry` is as large as an
    /// `Exchange`, so the ring a long run cycles through stays small.
    private enum Slot: Sendable {
        case exchange(at: Timestamp, request: Int)
        case attempt(deliveryID: Int, attempt: Int)
        case clock(from: Timestamp, to: Timestamp)
    }

    /// An exchange's entry keeps its exchange in `exchanges`, at the same slot (other entries
    /// nil).
    private var ring: [Slot] = []
    private var exchanges: [KeptExchange?] = []
    /// Where the oldest entry is, and how many there are.
    private var head = 0
    private var count = 0
    private var bytes = 0
    /// How many of the oldest entries were dropped.
    private(set) var dropped = 0
    /// The exchange appended last, which the next one is compared with.
    private var previous: KeptExchange?

    /// Appends K2 API request `request` (its journal id), answered at sandbox time `at`, given
    /// by its parts (an `Exchange`'s fields), which are compared in place with the previous
    /// exchange's. A client polling one payment sends and gets the same bytes again and again:
    /// its entries then share the previous exchange's box, and nothing is built or copied (an
    /// exchange built from its parts retained and later released a dozen references on every
    /// request). An exchange that differs is built with the parts equal to the previous one's
    /// taken from it, so that overwriting the oldest entry releases parts the newest still
    /// holds (in cache) instead of freeing cold allocations (10.04 → 9.34 µs of CPU per GET,
    /// five alternated rounds). Parts are compared byte for byte. Returns the path it kept.
    mutating func append(
        at: Timestamp, request: Int, method: String, path: String, query: [(name: String, value: String)],
        requestHeaders: [(name: String, value: String)], requestBody: [UInt8], status: Int,
        responseHeaders: [(name: String, value: String)], responseBody: [UInt8], fault: FaultNote?
    ) -> String {
        if let previous, previous.matches(
            method: method, path: path, query: query, requestHeaders: requestHeaders, requestBody: requestBody,
            status: status, responseHeaders: responseHeaders, responseBody: responseBody, fault: fault)
        {
            return keep(previous, at: at, request: request)
        }
        return append(
            Exchange(
                method: method, path: path, query: query, requestHeaders: requestHeaders, requestBody: requestBody,
                status: status, responseHeaders: responseHeaders, responseBody: responseBody, fault: fault),
            at: at, request: request)
    }

    /// Appends `exchange` whole (its bodies already cut), its parts equal to the previous
    /// exchange's taken from it.
    mutating func append(_ exchange: consuming Exchange, at: Timestamp, request: Int) -> String {
        var exchange = exchange
        if let previous { share(&exchange, with: previous.exchange) }
        let kept = KeptExchange(exchange)
        previous = kept
        return keep(kept, at: at, request: request)
    }

    private mutating func keep(_ kept: KeptExchange, at: Timestamp, request: Int) -> String {
        let slot = place(.exchange(at: at, request: request), size: kept.size)
        exchanges[slot] = kept
        return kept.path
    }

    /// Appends `entry` (a delivery attempt's or the clock's; an exchange's as above).
    mutating func append(_ entry: TranscriptEntry) {
        let slot: Int
        switch entry {
        case .exchange(let at, let request, let exchange):
            _ = append(exchange, at: at, request: request)
            return
        case .attempt(let deliveryID, let attempt): slot = place(.attempt(deliveryID: deliveryID, attempt: attempt), size: 0)
        case .clock(let from, let to): slot = place(.clock(from: from, to: to), size: 0)
        }
        exchanges[slot] = nil
    }

    /// Puts `entry` in the next slot, dropping the oldest entries as the limits require; returns the slot.
    private mutating func place(_ entry: Slot, size: Int) -> Int {
        if count == Self.capacity { dropOldest() }
        while bytes + size > Self.byteBudget, count > 0 { dropOldest() }
        let slot = (head + count) % Self.capacity
        if slot == ring.count {
            ring.append(entry)
            exchanges.append(nil)
        } else {
            ring[slot] = entry
        }
        count += 1
        bytes += size
        return slot
    }

    /// Its slot is overwritten by a later append (when the ring is full, at once).
    private mutating func dropOldest() {
        bytes -= exchanges[head]?.size ?? 0
        head = (head + 1) % Self.capacity
        count -= 1
        dropped += 1
    }

    /// The entry at `slot`, its exchange put back.
    private func entry(_ slot: Int) -> TranscriptEntry {
        switch ring[slot] {
        case .exchange(let at, let request): .exchange(at: at, request: request, exchanges[slot]!.exchange)
        case .attempt(let deliveryID, let attempt): .attempt(deliveryID: deliveryID, attempt: attempt)
        case .clock(let from, let to): .clock(from: from, to: to)
        }
    }

    /// The entries kept, oldest first.
    var entries: [TranscriptEntry] {
        (0..<count).map { entry((head + $0) % Self.capacity) }
    }

    /// The newest entry `matches` accepts, read in place (no copy of the ring).
    func last(where matches: (TranscriptEntry) -> Bool) -> TranscriptEntry? {
        for offset in stride(from: count - 1, through: 0, by: -1) {
            let candidate = entry((head + offset) % Self.capacity)
            if matches(candidate) { return candidate }
        }
        return nil
    }
}

/// Replaces each part of `exchange` equal to `previous`'s with `previous`'s own.
private func share(_ exchange: inout Exchange, with previous: Exchange) {
    if sameText(exchange.method, previous.method) { exchange.method = previous.method }
    if sameText(exchange.path, previous.path) { exchange.path = previous.path }
    if samePairs(exchange.query, previous.query) { exchange.query = previous.query }
    if samePairs(exchange.requestHeaders, previous.requestHeaders) { exchange.requestHeaders = previous.requestHeaders }
    if sameBytes(exchange.requestBody, previous.requestBody) { exchange.requestBody = previous.requestBody }
    if samePairs(exchange.responseHeaders, previous.responseHeaders) { exchange.responseHeaders = previous.responseHeaders }
    if sameBytes(exchange.responseBody, previous.responseBody) { exchange.responseBody = previous.responseBody }
}

/// `body` as sent is the body an exchange kept as `kept`, cut from `length` bytes.
@inline(__always)
private func sameBody(_ body: [UInt8], kept: [UInt8], length: Int) -> Bool {
    guard body.count == length else { return false }
    guard length > kept.count else { return sameBytes(body, kept) }
    return body.withUnsafeBytes { x in kept.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, y.count) == 0 } }
}

@inline(__always)
private func samePairs(_ a: [(name: String, value: String)], _ b: [(name: String, value: String)]) -> Bool {
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            // One array (a connection repeating its headers hands the same one again): equal at once.
            guard a.count == b.count, a.baseAddress != b.baseAddress else { return a.count == b.count }
            for i in 0..<a.count where !sameText(a[i].name, b[i].name) || !sameText(a[i].value, b[i].value) { return false }
            return true
        }
    }
}

/// The same bytes: `==` on strings compares canonically (`é` equals `e` and a combining accent),
/// and a transcript keeps each request's own bytes.
@inline(__always)
func sameText(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    return a.withUTF8Bytes { x in
        b.withUTF8Bytes { y in x.count == 0 || x.baseAddress == y.baseAddress || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
    }
}

@inline(__always)
private func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.count == b.count && a.withUnsafeBytes { x in
        b.withUnsafeBytes { y in x.count == 0 || x.baseAddress == y.baseAddress || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
    }
}

/// A sandbox's transcript as read at one instant: its entries with the deliveries they name.
public struct TranscriptSnapshot: Sendable {
    /// Entries in the order they happened.
    public var entries: [TranscriptEntry]
    /// How many older entries were dropped (the latest 10,000 are kept).
    public var dropped: Int
    /// Every delivery, by id - 1 (the attempts the entries name).
    public var deliveries: [Delivery]
    /// Sandbox time the clock started at, and where that instant came from.
    public var clockStart: Timestamp
    public var clockStartSource: ClockStartSource
    public var clockMode: ClockMode
    /// Sandbox time when it was read.
    public var now: Timestamp
}

extension Delivery {
    /// The signature `body` would carry, made as this delivery's was (the same key): a
    /// transcript signs a body it wrote with placeholders so that the pair still verifies.
    public func signature(of body: [UInt8]) -> String {
        kopoKopoSignature(body: body, apiKey: signingKey)
    }
}

/// Where a sandbox's clock start came from.
public enum ClockStartSource: String, Sendable {
    /// The scenario's `clock.start`.
    case scenario
    /// `Sandbox.manualClockStart`: a manual clock without `clock.start`.
    case fixed
    /// The wall time when the sandbox was made: a real clock without `clock.start`; its times
    /// differ in every run.
    case wallTime = "wall time"
}

/// A scenario fault a request met, by where it is written (`Fault.source`, `FILE:LINE`).
public enum FaultNote: Sendable, Equatable {
    /// It answered instead of the API.
    case answered(String)
    /// It only held the request back (its latency); the API answered.
    case delayed(String)
}
