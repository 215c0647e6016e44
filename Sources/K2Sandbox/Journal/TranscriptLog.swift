/// One K2 API request and its answer, as the transcript keeps them: the exact bytes, every
/// header (the transcript writes only those that matter).
public struct Exchange: Sendable {
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    public var requestHeaders: [(name: String, value: String)]
    public var requestBody: [UInt8]
    public var status: Int
    public var responseHeaders: [(name: String, value: String)]
    public var responseBody: [UInt8]

    public init(
        method: String, path: String, query: [(name: String, value: String)], requestHeaders: [(name: String, value: String)],
        requestBody: [UInt8], status: Int, responseHeaders: [(name: String, value: String)], responseBody: [UInt8]
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody
        self.status = status
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
    }
}

/// What happened in a sandbox, in the order it happened, for `GET /__admin/transcript`.
public enum TranscriptEntry: Sendable {
    /// A K2 API request answered at sandbox time `at`.
    case exchange(at: Timestamp, Exchange)
    /// Attempt `attempt` (1-based) of delivery `deliveryID` ended; the delivery journal holds it.
    case attempt(deliveryID: Int, attempt: Int)
    /// The clock was moved by an advance, from one sandbox time to another.
    case clock(from: Timestamp, to: Timestamp)
}

/// The transcript's entries: the latest 10,000 are kept, in a ring (a full one overwrites its
/// oldest entry in place, so a long run costs no moves), and `dropped` counts those that went.
/// Not kept in a data directory: a restarted sandbox's transcript starts at the restart.
struct TranscriptLog: Sendable {
    static let capacity = 10_000
    private var ring: [TranscriptEntry] = []
    /// Where the oldest entry is once the ring is full.
    private var oldest = 0
    /// How many of the oldest entries were dropped.
    private(set) var dropped = 0

    mutating func append(_ entry: TranscriptEntry) {
        guard ring.count == Self.capacity else { return ring.append(entry) }
        ring[oldest] = entry
        oldest = (oldest + 1) % Self.capacity
        dropped += 1
    }

    /// The entries kept, oldest first.
    var entries: [TranscriptEntry] {
        oldest == 0 ? ring : Array(ring[oldest...] + ring[..<oldest])
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
