/// A check `k2mock verify` runs (the scenario's `expect`).
public struct Expectation: Sendable, Equatable {
    /// What an expectation counts.
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

    /// Expects exactly `count` of `subject`; `source` is `FILE:LINE` for the report.
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
