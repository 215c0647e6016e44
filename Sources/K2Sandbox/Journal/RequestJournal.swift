/// One K2 API request as `GET /__admin/requests` lists it.
public struct RequestRecord: Sendable, Equatable {
    public var at: Timestamp
    public var method: String
    public var path: String
    public var status: Int
}

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

/// A check `k2mock verify` runs (the scenario's `expect`).
public struct Expectation: Sendable, Equatable {
    public enum Subject: Sendable, Equatable {
        /// K2 API requests, by method and path pattern.
        case requests(method: String?, path: String?)
        /// Deliveries, by outcome, kind and url pattern.
        case callbacks(outcome: String?, kind: String?, url: String?)
    }

    public var subject: Subject
    public var count: Int
    /// Where it was written, for the report.
    public var source: String

    public init(subject: Subject, count: Int, source: String) {
        self.subject = subject
        self.count = count
        self.source = source
    }
}

/// How an expectation came out.
public struct ExpectationResult: Sendable, Equatable {
    public var expectation: Expectation
    public var actual: Int
    public var passed: Bool { actual == expectation.count }

    public var description: String {
        let what: String
        switch expectation.subject {
        case .requests(let method, let path):
            what = "requests \([method, path].compactMap { $0 }.joined(separator: " "))"
        case .callbacks(let outcome, let kind, let url):
            what = "callbacks" + [outcome.map { " outcome=\($0)" }, kind.map { " kind=\($0)" }, url.map { " url=\($0)" }]
                .compactMap { $0 }.joined()
        }
        return "\(what): expected \(expectation.count), got \(actual) (\(expectation.source))"
    }
}
