#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The little file access scenarios need, without Foundation.
public enum FileSystem {
    /// A whole file's bytes; nil when it cannot be opened or is larger than 64 MiB.
    public static let read: @Sendable (String) -> [UInt8]? = { path in
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if count < chunk.count { break }
            if bytes.count > 64 << 20 { return nil }
        }
        return ferror(file) == 0 ? bytes : nil
    }

    /// Whether `path` names a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// `relative` resolved against the directory of `base`, with `.` and `..` folded.
    public static func resolve(_ relative: String, against base: String) -> String {
        if relative.hasPrefix("/") { return normalize(relative) }
        let directory = base.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return normalize(directory.isEmpty ? relative : directory + "/" + relative)
    }

    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}
