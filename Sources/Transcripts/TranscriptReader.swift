import Yams

/// A transcript read back: its header's fields and its entries, each a list of fields in the
/// order written.
public struct TranscriptDocument: Sendable {
    /// A field's value: text (scalars, numbers and `null` as written), or a mapping of text
    /// (headers).
    public enum Value: Sendable, Equatable {
        case text(String)
        case fields([Field])
    }

    public struct Field: Sendable, Equatable {
        public var key: String
        public var value: Value

        public init(key: String, value: Value) {
            self.key = key
            self.value = value
        }
    }

    public struct Entry: Sendable {
        public var fields: [Field]
        /// The line its document starts on.
        public var line: Int

        public subscript(_ key: String) -> String? {
            guard case .text(let text)? = fields.first(where: { $0.key == key })?.value else { return nil }
            return text
        }
    }

    public var header: Entry
    public var entries: [Entry]
}

/// Why a file is not a transcript this k2mock reads: the file, the line and what is wrong.
public struct TranscriptReadError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public var description: String { "\(file):\(line): \(message)" }
}

/// Reads what `TranscriptWriter` wrote.
public enum TranscriptReader {
    /// The transcript in `text`; `file` names it in errors. Throws `TranscriptReadError` for
    /// text that is not YAML, not a transcript, or a transcript of another format version.
    public static func read(_ text: String, file: String) throws(TranscriptReadError) -> TranscriptDocument {
        var documents: [Node] = []
        do {
            let parser = try Parser(yaml: text)
            while let document = try parser.nextRoot() { documents.append(document) }
        } catch let error as YamlError {
            throw TranscriptReadError(file: file, line: Self.line(of: error), message: "not YAML: \(Self.problem(of: error))")
        } catch {
            throw TranscriptReadError(file: file, line: 1, message: "not YAML: \(error)")
        }
        guard let first = documents.first else {
            throw TranscriptReadError(file: file, line: 1, message: "empty: a transcript starts with its header (format: \(transcriptFormat))")
        }
        let header = try entry(first, file: file)
        guard let format = header["format"] else {
            throw TranscriptReadError(file: file, line: header.line, message: "no format: not a k2mock transcript (its header says format: \(transcriptFormat))")
        }
        guard format == transcriptFormat else {
            throw TranscriptReadError(
                file: file, line: header.line,
                message: "format \(format): this k2mock reads \(transcriptFormat); write the transcript again with this k2mock")
        }
        var entries: [Entry] = []
        for document in documents.dropFirst() { entries.append(try entry(document, file: file)) }
        return TranscriptDocument(header: header, entries: entries)
    }

    typealias Entry = TranscriptDocument.Entry

    private static func entry(_ node: Node, file: String) throws(TranscriptReadError) -> Entry {
        let line = node.mark?.line ?? 1
        guard case .mapping(let mapping) = node else {
            throw TranscriptReadError(file: file, line: line, message: "each document must be a mapping of fields")
        }
        var fields: [TranscriptDocument.Field] = []
        for (key, value) in mapping {
            guard case .scalar(let name) = key else {
                throw TranscriptReadError(file: file, line: key.mark?.line ?? line, message: "field names must be plain text")
            }
            switch value {
            case .scalar(let scalar):
                fields.append(.init(key: name.string, value: .text(scalar.string)))
            case .mapping(let inner):
                var pairs: [TranscriptDocument.Field] = []
                for (innerKey, innerValue) in inner {
                    guard case .scalar(let k) = innerKey, case .scalar(let v) = innerValue else {
                        throw TranscriptReadError(file: file, line: innerKey.mark?.line ?? line,
                                                  message: "\(name.string) must map names to text")
                    }
                    pairs.append(.init(key: k.string, value: .text(v.string)))
                }
                fields.append(.init(key: name.string, value: .fields(pairs)))
            default:
                throw TranscriptReadError(file: file, line: value.mark?.line ?? line,
                                          message: "\(name.string) must be text or a mapping of text")
            }
        }
        return Entry(fields: fields, line: line)
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: 1
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        default: "\(error)"
        }
    }
}
