import Foundation
import K2Sandbox
import Transcripts

extension TestSandbox {
    /// The sandbox's transcript as `GET /__admin/transcript` answers it: every K2 API request
    /// with its answer, every delivery attempt and every advance, ports as placeholders.
    public func transcript() -> String {
        TranscriptWriter.transcript(of: hosted)
    }

    /// Compares the transcript with the snapshot at `path` (relative paths start at the
    /// directory of the test file that calls this). Writes the snapshot when the file is
    /// missing or the environment has `K2MOCK_UPDATE_SNAPSHOTS=1`; otherwise throws
    /// `TranscriptMismatch` listing each difference (`k2mock transcript diff`'s words). Throws
    /// `TranscriptMismatch.notReproducible` on a real clock or without a seed, whose runs differ.
    /// A snapshot matches again only with the same scenario, seed and sandbox name.
    public func assertTranscript(matches path: String, filePath: String = #filePath) throws {
        if let reason = TranscriptWriter.whyNotReproducible(sandbox) { throw TranscriptMismatch.notReproducible(reason) }
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent(path)
        let actual = transcript()
        let update = ProcessInfo.processInfo.environment["K2MOCK_UPDATE_SNAPSHOTS"] == "1"
        guard !update, let data = FileManager.default.contents(atPath: url.path) else {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        guard expected != actual else { return }
        do {
            let differences = TranscriptDiff(old: "snapshot", new: "this run").differences(
                try TranscriptReader.read(expected, file: url.path), try TranscriptReader.read(actual, file: "this run"))
            throw TranscriptMismatch.differs(path: url.path, differences.isEmpty ? ["the bytes differ (whitespace)"] : differences)
        } catch let error as TranscriptReadError {
            throw TranscriptMismatch.unreadable(path: url.path, error.description)
        }
    }
}

/// Why `TestSandbox.assertTranscript(matches:)` failed.
public enum TranscriptMismatch: Error, Equatable, CustomStringConvertible {
    /// The run differs from the snapshot at `path`: each difference, in words.
    case differs(path: String, [String])
    /// The snapshot at `path` is not a transcript this k2mock reads.
    case unreadable(path: String, String)
    /// The sandbox's runs differ whatever it is sent (a real clock, no seed): why.
    case notReproducible(String)

    public var description: String {
        let accept = "Accept this run's transcript with K2MOCK_UPDATE_SNAPSHOTS=1."
        switch self {
        case .differs(let path, let differences):
            return "the transcript differs from \(path):\n" + differences.map { "  " + $0 }.joined(separator: "\n") + "\n" + accept
        case .unreadable(let path, let reason):
            return "the snapshot \(path) is not a transcript: \(reason)\n" + accept
        case .notReproducible(let reason):
            return reason
        }
    }
}
