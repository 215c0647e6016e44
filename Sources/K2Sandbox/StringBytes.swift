extension String {
    /// `body` over the string's UTF-8 bytes, read in place. `withUTF8` needs a mutable copy (a
    /// retain and a release), and a GET reads a dozen strings this way; strings k2mock makes
    /// are native and contiguous, and any other is copied first.
    @inlinable
    package func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
