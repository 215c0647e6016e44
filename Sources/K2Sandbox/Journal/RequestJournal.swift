/// One K2 API request as `GET /__admin/requests` lists it.
public struct RequestRecord: Sendable, Equatable {
    /// Its number in the sandbox's journal, from 1 (`GET /__admin/explain?request=ID`); set
    /// when it is journalled.
    public var id = 0
    public var at: Timestamp
    public var method: String
    public var path: String
    public var status: Int

    /// A request to `path` answered `status` at sandbox time `at`.
    public init(at: Timestamp, method: String, path: String, status: Int) {
        self.at = at
        self.method = method
        self.path = path
        self.status = status
    }
}

/// K2 API requests as `GET /__admin/requests` lists them, oldest first; the latest 100,000
/// are kept, in a ring: once full, each request overwrites the oldest in place (dropping ten
/// thousand at once moved the other ninety thousand, a stall every ten thousand requests).
struct RequestJournal: Sendable {
    static let capacity = 100_000
    private var ring: [RequestRecord] = []
    /// Where the oldest record is (once the ring is full).
    private var head = 0
    /// The id the next request gets.
    private(set) var nextID = 1

    /// The records kept, oldest first.
    var records: [RequestRecord] {
        Array(ring[head...] + ring[..<head])
    }

    /// Journals `record` under the next id, which it answers.
    @discardableResult
    mutating func append(_ record: consuming RequestRecord) -> Int {
        var record = record
        record.id = nextID
        nextID += 1
        if ring.count < Self.capacity {
            ring.append(record)
        } else {
            ring[head] = record
            head = (head + 1) % Self.capacity
        }
        return record.id
    }

    /// How many requests match `method` (any if nil) and the path pattern (any if nil).
    func count(method: String?, path: String?) -> Int {
        ring.filter { record in
            (method.map { $0.uppercased() == record.method } ?? true) && (path.map { globMatches($0, record.path) } ?? true)
        }.count
    }
}
