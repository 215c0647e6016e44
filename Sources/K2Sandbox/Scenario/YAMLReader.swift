import Yams

/// Walks a composed YAML tree and collects located issues instead of stopping at the first, so
/// `k2mock validate` can list everything wrong with a file at once.
final class YAMLReader {
    let file: String
    private(set) var issues: [ScenarioIssue] = []
    /// How many more values a scenario's free-form JSON (events' resources) may hold: YAML
    /// aliases can make a few hundred bytes expand to billions (a scenario may come over HTTP).
    var valuesLeft = YAMLReader.maxValues
    static let maxValues = 100_000

    init(file: String) { self.file = file }

    func fail(_ node: Node?, _ message: String) {
        let mark = node?.mark
        issues.append(ScenarioIssue(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    func fail(line: Int, column: Int, _ message: String) {
        issues.append(ScenarioIssue(file: file, line: line, column: column, message: message))
    }

    /// The pairs of a mapping, checked against the allowed keys (`context` names it in messages).
    func mapping(_ node: Node, _ context: String, allowed: [String]) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            fail(node, "\(context) must be a mapping")
            return nil
        }
        var pairs: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                fail(keyNode, "\(context): keys must be plain names")
                continue
            }
            let key = scalar.string
            if !allowed.contains(key) {
                fail(keyNode, "unknown key '\(key)' in \(context) (allowed: \(allowed.joined(separator: ", ")))")
                continue
            }
            pairs.append((key, keyNode, value))
        }
        return pairs
    }

    func sequence(_ node: Node, _ context: String) -> [Node]? {
        if case .sequence(let sequence) = node { return Array(sequence) }
        fail(node, "\(context) must be a list")
        return nil
    }

    func string(_ node: Node, _ context: String) -> String? {
        if case .scalar(let scalar) = node, !(scalar.style == .plain && isNull(scalar.string)) {
            return scalar.string
        }
        fail(node, "\(context) must be a string")
        return nil
    }

    func integer(_ node: Node, _ context: String, range: ClosedRange<Int64> = Int64.min...Int64.max) -> Int64? {
        if case .scalar(let scalar) = node, scalar.style == .plain, let value = Int64(scalar.string),
           range.contains(value) {
            return value
        }
        fail(node, "\(context) must be a whole number" + (range.lowerBound > Int64.min ? " from \(range.lowerBound)" : "")
             + (range.upperBound < Int64.max ? " to \(range.upperBound)" : ""))
        return nil
    }

    func unsigned(_ node: Node, _ context: String) -> UInt64? {
        if case .scalar(let scalar) = node, scalar.style == .plain, let value = UInt64(scalar.string) {
            return value
        }
        fail(node, "\(context) must be a whole number from 0 to \(UInt64.max)")
        return nil
    }

    func number(_ node: Node, _ context: String) -> Double? {
        if case .scalar(let scalar) = node, scalar.style == .plain, let value = Double(scalar.string), value.isFinite {
            return value
        }
        fail(node, "\(context) must be a number")
        return nil
    }

    /// `500ms`, `5s`, `2m`, `1h`, `1d`; a bare whole number counts as seconds.
    func duration(_ node: Node, _ context: String) -> TimeSpan? {
        if case .scalar(let scalar) = node {
            if let span = TimeSpan(parsing: scalar.string) { return span }
            if scalar.style == .plain, let seconds = Int64(scalar.string), seconds >= 0, seconds < Int64.max / 1000 {
                return .seconds(seconds)
            }
        }
        fail(node, "\(context) must be a duration such as 500ms, 5s, 2m, 1h or 1d")
        return nil
    }

    private func isNull(_ text: String) -> Bool {
        ["", "~", "null", "Null", "NULL"].contains(text)
    }
}
