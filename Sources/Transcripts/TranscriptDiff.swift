import OrderedJSON

/// Two transcripts compared entry by entry, field by field, in words a reviewer reads:
/// `entry 3, POST /api/v1/incoming_payments: request_body.amount.value: "150" → "250"`. JSON
/// bodies are compared value by value along their paths; other fields as text.
public struct TranscriptDiff: Sendable {
    /// What the two sides are called in "only in ..." (say their file names).
    public var old: String
    public var new: String
    /// At most this many differences are listed; a last line says how many more there were.
    public var limit = 200

    public init(old: String, new: String) {
        self.old = old
        self.new = new
    }

    /// The differences, in order; empty when the transcripts are the same. Entries are matched
    /// up by what they are (a request's method and path, a delivery and attempt, a clock move),
    /// so one entry more or less in the middle is said as such, not as every later entry
    /// differing; entries in the same place that are not the same thing are compared field by
    /// field.
    public func differences(_ a: TranscriptDocument, _ b: TranscriptDocument) -> [String] {
        var out: [String] = []
        compare(a.header.fields, b.header.fields, at: "", label: "header", into: &out)
        for pair in align(a.entries, b.entries) {
            switch pair {
            case (let i?, let j?):
                let left = a.entries[i], right = b.entries[j]
                let number = left["entry"] ?? "\(i + 1)", other = right["entry"] ?? "\(j + 1)"
                let label = "entry \(number)\(number == other ? "" : " (\(other) in \(new))"), \(summary(left))"
                compare(left.fields.filter { $0.key != "entry" }, right.fields.filter { $0.key != "entry" },
                        at: "", label: label, into: &out)
            case (let i?, nil):
                out.append("entry \(a.entries[i]["entry"] ?? "\(i + 1)"), \(summary(a.entries[i])): only in \(old)")
            case (nil, let j?):
                out.append("entry \(b.entries[j]["entry"] ?? "\(j + 1)") of \(new), \(summary(b.entries[j])): only in \(new)")
            case (nil, nil):
                break
            }
        }
        guard out.count > limit else { return out }
        return Array(out.prefix(limit)) + ["... and \(out.count - limit) more differences"]
    }

    /// Pairs of entry indices, in order: a longest common run of entries that are the same
    /// thing (`key`), and between two such, the entries left on each side paired in order, the
    /// rest alone. Past 4 million comparisons, entries are paired by position.
    private func align(_ a: [TranscriptDocument.Entry], _ b: [TranscriptDocument.Entry]) -> [(Int?, Int?)] {
        let n = a.count, m = b.count
        guard n > 0, m > 0, n * m <= 4_000_000 else {
            return (0..<max(n, m)).map { ($0 < n ? $0 : nil, $0 < m ? $0 : nil) }
        }
        let keysA = a.map(key), keysB = b.map(key)
        // lengths[i][j]: the longest common run of keysA[i...] and keysB[j...].
        var lengths = [[Int32]](repeating: [Int32](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lengths[i][j] = keysA[i] == keysB[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var pairs: [(Int?, Int?)] = []
        var onlyA: [Int] = [], onlyB: [Int] = []
        func flush() {
            for index in 0..<max(onlyA.count, onlyB.count) {
                pairs.append((index < onlyA.count ? onlyA[index] : nil, index < onlyB.count ? onlyB[index] : nil))
            }
            onlyA.removeAll()
            onlyB.removeAll()
        }
        var i = 0, j = 0
        while i < n, j < m {
            if keysA[i] == keysB[j] {
                flush()
                pairs.append((i, j))
                i += 1
                j += 1
            } else if lengths[i + 1][j] >= lengths[i][j + 1] {
                onlyA.append(i)
                i += 1
            } else {
                onlyB.append(j)
                j += 1
            }
        }
        onlyA += Array(i..<n)
        onlyB += Array(j..<m)
        flush()
        return pairs
    }

    /// What an entry is, for matching: its kind and what it was to.
    private func key(_ entry: TranscriptDocument.Entry) -> String {
        switch entry["kind"] {
        case "request": "request \(entry["method"] ?? "") \(entry["path"] ?? "")"
        case "clock": "clock"
        case let kind?: "\(kind) \(entry["delivery"] ?? "") \(entry["attempt"] ?? "")"
        case nil: ""
        }
    }

    private func compare(
        _ a: [TranscriptDocument.Field], _ b: [TranscriptDocument.Field], at prefix: String, label: String,
        into out: inout [String]
    ) {
        var keys = a.map(\.key)
        for field in b where !keys.contains(field.key) { keys.append(field.key) }
        for key in keys {
            let left = a.first { $0.key == key }?.value, right = b.first { $0.key == key }?.value
            let path = prefix + key
            switch (left, right) {
            case (.text(let x)?, .text(let y)?) where x != y:
                if key.hasSuffix("_body"), let jx = try? JSON.parse(Array(x.utf8)), let jy = try? JSON.parse(Array(y.utf8)) {
                    compare(jx, jy, at: path, label: label, into: &out)
                } else {
                    out.append("\(label): \(path): \(text(x, against: y)) → \(text(y, against: x))")
                }
            case (.fields(let x)?, .fields(let y)?):
                compare(x, y, at: path + ".", label: label, into: &out)
            case (let x?, nil):
                out.append("\(label): \(path): only in \(old) (\(describe(x)))")
            case (nil, let y?):
                out.append("\(label): \(path): only in \(new) (\(describe(y)))")
            case (let x?, let y?) where x != y:
                out.append("\(label): \(path): \(describe(x)) → \(describe(y))")
            default:
                break
            }
        }
    }

    private func compare(_ a: JSON, _ b: JSON, at path: String, label: String, into out: inout [String]) {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            for member in x.members {
                if let other = y[member.key] {
                    compare(member.value, other, at: path + "." + member.key, label: label, into: &out)
                } else {
                    out.append("\(label): \(path).\(member.key): only in \(old) (\(short(member.value)))")
                }
            }
            for member in y.members where x[member.key] == nil {
                out.append("\(label): \(path).\(member.key): only in \(new) (\(short(member.value)))")
            }
            let shared = x.keys.filter { y[$0] != nil }, sharedY = y.keys.filter { x[$0] != nil }
            if shared != sharedY {
                out.append("\(label): \(path): keys in another order: \(shared.joined(separator: ", ")) → \(sharedY.joined(separator: ", "))")
            }
        case (.array(let x), .array(let y)):
            for index in 0..<min(x.count, y.count) {
                compare(x[index], y[index], at: "\(path)[\(index)]", label: label, into: &out)
            }
            if x.count != y.count { out.append("\(label): \(path): \(x.count) items → \(y.count) items") }
        default:
            if a != b { out.append("\(label): \(path): \(short(a)) → \(short(b))") }
        }
    }

    /// What an entry is, from its fields: `POST /api/v1/payments`, `callback 1, attempt 2 to URL`.
    private func summary(_ entry: TranscriptDocument.Entry) -> String {
        switch entry["kind"] {
        case "request": return "\(entry["method"] ?? "?") \(entry["path"] ?? "?")"
        case "clock": return "clock to \(entry["to"] ?? "?")"
        case let kind?: return "\(kind) \(entry["delivery"] ?? "?"), attempt \(entry["attempt"] ?? "?") to \(entry["url"] ?? "?")"
        case nil: return "(no kind)"
        }
    }

    private func describe(_ value: TranscriptDocument.Value) -> String {
        switch value {
        case .text(let text): abbreviated(text)
        case .fields(let fields): fields.map { "\($0.key): \(describe($0.value))" }.joined(separator: ", ")
        }
    }

    /// Multi-line text shown by its first line that differs.
    private func text(_ text: String, against other: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let others = other.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 1 || others.count > 1 else { return abbreviated(text) }
        let index = (0..<min(lines.count, others.count)).first { lines[$0] != others[$0] } ?? min(lines.count, others.count)
        guard index < lines.count else { return "(\(lines.count) lines)" }
        return "line \(index + 1) \(abbreviated(String(lines[index])))"
    }

    private func short(_ value: JSON) -> String { abbreviated(value.compactString, quote: false) }

    private func abbreviated(_ text: String, quote: Bool = true) -> String {
        let shown = text.count > 80 ? String(text.prefix(77)) + "..." : text
        return quote ? JSON.string(shown).compactString : shown
    }
}
