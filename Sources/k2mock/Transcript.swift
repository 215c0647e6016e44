import ArgumentParser
import K2Sandbox
import OrderedJSON
import Transcripts

#if canImport(Glibc)
import Glibc
#endif

/// `k2mock transcript diff|show`: read transcripts (`GET /__admin/transcript`) as a reviewer would.
struct Transcript: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare or summarise transcripts from GET /__admin/transcript.",
        discussion: """
            A transcript is a sandbox's whole conversation: K2 API requests and answers, callback \
            and webhook attempts, clock advances. Save one with \
            `curl http://127.0.0.1:8080/__admin/transcript > run.yaml` (docs/transcripts.md).
            """,
        subcommands: [Diff.self, Show.self])

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say how two transcripts differ, entry by entry and field by field.",
            discussion: """
                Exit status: 0 when they are the same bytes, 1 when they differ (one line per difference; \
                files that differ only in form, such as line endings, say so), 2 when a file cannot be read \
                or is not a transcript of this format (FILE:LINE: why), 64 for a usage error.
                """)

        @Argument(help: "The transcript to compare from (say the snapshot).")
        var old: String
        @Argument(help: "The transcript to compare to (say this run's).")
        var new: String

        func run() throws {
            let (a, bytesA) = try readTranscript(old), (b, bytesB) = try readTranscript(new)
            guard bytesA != bytesB else { return }
            var differences = TranscriptDiff(old: old, new: new).differences(a, b)
            if differences.isEmpty {
                differences = ["the files differ only in form (line endings, whitespace, quoting or escapes), not in what they say"]
            }
            for difference in differences { print(difference) }
            throw ExitCode(1)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per entry: number, sandbox time, what happened.",
            discussion: "Exit status: 0, 2 when the file cannot be read or is not a transcript (FILE:LINE: why), 64 for a usage error.")

        @Argument(help: "A transcript file.")
        var file: String

        func run() throws {
            let transcript = try readTranscript(file).document
            let header = transcript.header
            print("sandbox \(header["sandbox"] ?? "?"), scenario \(header["scenario"] ?? "?"), seed \(header["seed"] ?? "?"), "
                + "\(header["clock"] ?? "?") clock from \(header["clock_start"] ?? "?"): \(transcript.entries.count) entries"
                + ((header["dropped"]).flatMap { Int($0) }.map { $0 > 0 ? " (the \($0) before them were dropped)" : "" } ?? ""))
            for entry in transcript.entries { print(line(entry).onOneLine) }
        }

        private func line(_ entry: TranscriptDocument.Entry) -> String {
            let start = "\(entry["entry"] ?? "?")  \(entry["at"] ?? "?")  "
            switch entry["kind"] {
            case "request":
                let query = entry["query"].map { "?" + $0 } ?? ""
                return start + "\(entry["method"] ?? "?") \(entry["path"] ?? "?")\(query) → \(entry["status"] ?? "?")"
            case "clock":
                return start + "clock advanced to \(entry["to"] ?? "?")"
            case let kind?:
                let outcome = entry["error"] ?? entry["status"] ?? "?"
                let redelivery = entry["redelivery"] == "true" ? " (redelivery)" : ""
                return start + "\(kind) \(entry["delivery"] ?? "?") attempt \(entry["attempt"] ?? "?")\(redelivery): "
                    + "POST \(entry["url"] ?? "?") → \(outcome)"
            case nil:
                return start + "(no kind)"
            }
        }
    }
}

/// The transcript in `path` and its bytes; exits 2 saying why when it cannot be read or is not one.
private func readTranscript(_ path: String) throws -> (document: TranscriptDocument, bytes: [UInt8]) {
    guard !FileSystem.isDirectory(path) else {
        printError("\(path): is a directory, not a transcript file")
        throw ExitCode(2)
    }
    guard let bytes = FileSystem.read(path) else {
        printError("\(path): cannot read it (\(String(cString: strerror(errno))))")
        throw ExitCode(2)
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
        printError("\(path):1: not UTF-8 text: not a transcript")
        throw ExitCode(2)
    }
    do {
        return (try TranscriptReader.read(text, file: path), bytes)
    } catch {
        printError(error.description)
        throw ExitCode(2)
    }
}
