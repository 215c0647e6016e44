/// A scripted misbehaviour of the API itself (the scenario's `faults`): for matching requests,
/// answer with a status instead of serving them, or serve them late.
public struct Fault: Sendable, Equatable {
    public var method: String?
    /// A path pattern where `*` matches any run of characters (`/api/v1/payments/*`).
    public var path: String?
    /// Only the nth matching request (1-based); nil: every one.
    public var nth: Int?
    public var status: Int?
    public var body: String?
    /// Wall time to wait before answering.
    public var latency: TimeSpan?
    /// Where it was written (`FILE:LINE`), for explanations.
    public var source: String?

    /// A fault for requests matching `method` and `path` (nil: any); see each field.
    public init(method: String? = nil, path: String? = nil, nth: Int? = nil, status: Int? = nil, body: String? = nil,
                latency: TimeSpan? = nil) {
        self.method = method
        self.path = path
        self.nth = nth
        self.status = status
        self.body = body
        self.latency = latency
    }

    func matches(method: String, path: String) -> Bool {
        if let expected = self.method, expected.uppercased() != method { return false }
        if let pattern = self.path, !globMatches(pattern, path) { return false }
        return true
    }
}

/// `*` matches any run of characters, everything else itself.
func globMatches(_ pattern: String, _ text: String) -> Bool {
    let p = Array(pattern.utf8), t = Array(text.utf8)
    var pi = 0, ti = 0, star = -1, mark = 0
    while ti < t.count {
        if pi < p.count, p[pi] == UInt8(ascii: "*") {
            star = pi; mark = ti; pi += 1
        } else if pi < p.count, p[pi] == t[ti] {
            pi += 1; ti += 1
        } else if star >= 0 {
            pi = star + 1; mark += 1; ti = mark
        } else {
            return false
        }
    }
    while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
    return pi == p.count
}

/// The scenario's faults and how many requests each has matched: which fault, if any, answers
/// a request.
struct FaultBook: Sendable {
    let faults: [Fault]
    private var matches: [Int]

    init(_ faults: [Fault]) {
        self.faults = faults
        matches = Array(repeating: 0, count: faults.count)
    }

    /// The fault that applies to this request, if any; every fault it matches counts it
    /// towards its `nth`.
    mutating func fault(method: String, path: String) -> Fault? {
        var applies: Fault?
        for (index, fault) in faults.enumerated() where fault.matches(method: method, path: path) {
            matches[index] += 1
            if applies == nil, fault.nth == nil || fault.nth == matches[index] { applies = fault }
        }
        return applies
    }
}
