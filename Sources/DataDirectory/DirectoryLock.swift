#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<data dir>/k2mock.lock`, which holds the holder's pid. The kernel
/// releases it when the process ends, however it ends, so a killed k2mock never leaves a stale lock.
final class DirectoryLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock; throws `DataDirectoryError.locked` naming the holder's pid if another
    /// process has it.
    init(path: String) throws(DataDirectoryError) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DataDirectoryError(.unusable, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var bytes = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &bytes, bytes.count, 0)
            close(descriptor)
            let holder = String(decoding: bytes.prefix(max(0, count)), as: UTF8.self).trimmingWhitespace
            throw DataDirectoryError(.locked, "\(path) is held by another k2mock (pid \(holder.isEmpty ? "unknown" : holder)); "
                + "stop it or use another --data-dir")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    /// Lets the lock go (the file stays, empty of meaning until the next holder writes its pid).
    func release() {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

extension String {
    var trimmingWhitespace: String {
        String(String.UnicodeScalarView(unicodeScalars.drop { $0 == " " || $0 == "\n" }.reversed()
            .drop { $0 == " " || $0 == "\n" }.reversed()))
    }
}

/// Writes `text` to stderr at once.
func writeStandardError(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
