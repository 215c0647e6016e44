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

    /// The differences, in order; empty when the transcripts are the same.
    public func differences(_ a: TranscriptDocument, _ b: TranscriptDocument) -> [String] {
        var out: [String] = []
        compare(a.header.fields, b.header.fields, at: "", label: "header", into: &out)
        for index in 0..<max(a.entries.count, b.entries.count) {
            let left = index < a.entries.count ? a.entries[index] : nil
            let right = index < b.entries.count ? b.entries[index] : nil
            switch (left, right) {
            case (let left?, let right?):
                compare(left.fields, right.fields, at: "", label: "entry \(index + 1), \(summary(left))", into: &out)
            case (let left?, nil):
                out.append("entry \(index + 1), \(summary(left)): only in \(old)")
            case (nil, let right?):
                out.append("entry \(index + 1), \(summary(right)): only in \(new)")
            case (nil, nil):
                break
            }
        }
        guard out.count > limit else { return out }
        return Array(out.prefix(limit)) + ["... and \(out.count - limit) more differences"]
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
