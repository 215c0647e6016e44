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
    /// an empty one): read there through a pointer, its parts are compared and shared in place,
    /// where matching the entry, or even reading the array's element, copies them all (a
    /// retain and a release each, on every request).
    private var ring: [Slot] = []
    private var exchanges: [Exchange] = []
    /// Where the oldest entry is, and how many there are.
    private var head = 0
    private var count = 0
    private var bytes = 0
    /// How many of the oldest entries were dropped.
    private(set) var dropped = 0
    /// The slot of the exchange appended last, whose parts the next one shares where equal.
    private var previousSlot: Int?

    /// Appends K2 API request `request` (its journal id), answered at sandbox time `at`.
    /// Each part of `exchange` (path, query, headers, bodies) that equals the previous
    /// exchange's is replaced with that exchange's own. A client polling one payment sends and
    /// gets the same bytes again and again: its ten thousand entries then share one copy, and
    /// overwriting the oldest releases parts the newest still holds (in cache) instead of
    /// freeing a dozen cold allocations (the docs' GET: 10.04 → 9.34 µs of CPU per request, five
    /// alternated rounds). Parts are compared byte for byte. Returns the path it kept.
    mutating func append(_ exchange: consuming Exchange, at: Timestamp, request: Int) -> String {
        var exchange = exchange
        if let slot = previousSlot {
            exchanges.withUnsafeBufferPointer { kept in share(&exchange, with: kept.baseAddress! + slot) }
        }
        let path = exchange.path
        let slot = place(.exchange(at: at, request: request), size: exchange.size)
        exchanges[slot] = consume exchange
        previousSlot = slot
        return path
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
        exchanges[slot] = Self.empty
        if slot == previousSlot { previousSlot = nil }
    }

    /// Puts `entry` in the next slot, dropping the oldest entries as the limits require; returns the slot.
    private mutating func place(_ entry: Slot, size: Int) -> Int {
        if count == Self.capacity { dropOldest() }
        while bytes + size > Self.byteBudget, count > 0 { dropOldest() }
        let slot = (head + count) % Self.capacity
        if slot == ring.count {
            ring.append(entry)
            exchanges.append(Self.empty)
        } else {
            ring[slot] = entry
        }
        count += 1
        bytes += size
        return slot
    }

    /// Its slot is overwritten by a later append (when the ring is full, at once).
    private mutating func dropOldest() {
        bytes -= exchanges[head].size
        head = (head + 1) % Self.capacity
        count -= 1
        dropped += 1
    }

    /// The entry at `slot`, its exchange put back.
    private func entry(_ slot: Int) -> TranscriptEntry {
        switch ring[slot] {
        case .exchange(let at, let request): .exchange(at: at, request: request, exchanges[slot])
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

    /// What other entries hold in `exchanges`: nothing allocated.
    private static let empty = Exchange(
        method: "", path: "", query: [], requestHeaders: [], requestBody: [], status: 0, responseHeaders: [], responseBody: [])
}

/// Replaces each part of `exchange` equal to `previous`'s with `previous`'s own.
private func share(_ exchange: inout Exchange, with previous: UnsafePointer<Exchange>) {
    if sameText(exchange.path, previous.pointee.path) { exchange.path = previous.pointee.path }
    if samePairs(exchange.query, previous.pointee.query) { exchange.query = previous.pointee.query }
    if samePairs(exchange.requestHeaders, previous.pointee.requestHeaders) { exchange.requestHeaders = previous.pointee.requestHeaders }
    if sameBytes(exchange.requestBody, previous.pointee.requestBody) { exchange.requestBody = previous.pointee.requestBody }
    if samePairs(exchange.responseHeaders, previous.pointee.responseHeaders) { exchange.responseHeaders = previous.pointee.responseHeaders }
    if sameBytes(exchange.responseBody, previous.pointee.responseBody) { exchange.responseBody = previous.pointee.responseBody }
}

private func samePairs(_ a: [(name: String, value: String)], _ b: [(name: String, value: String)]) -> Bool {
    // One array (a connection repeating its headers hands the same one again): equal at once.
    guard a.count == b.count, a.withUnsafeBufferPointer({ $0.baseAddress }) != b.withUnsafeBufferPointer({ $0.baseAddress }) else {
        return a.count == b.count
    }
    return zip(a, b).allSatisfy { sameText($0.name, $1.name) && sameText($0.value, $1.value) }
}

/// The same bytes: `==` on strings compares canonically (`é` equals `e` and a combining accent),
/// and a transcript keeps each request's own bytes.
func sameText(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    return a.withUTF8Bytes { x in
        b.withUTF8Bytes { y in x.count == 0 || x.baseAddress == y.baseAddress || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
    }
}

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
