#if canImport(Glibc)
import Glibc
#endif

/// Per thread: whether the calling thread answers later (its waits for durability are owed
/// rather than waited for) and the latest ticket it owes. The server's request threads collect
/// the debt of one request and await it without holding the thread, so many requests share
/// one commit.
enum DurabilityDebt {
    private final class Box {
        var collecting = false
        var owed: UInt64 = 0
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            pointer.map { Unmanaged<Box>.fromOpaque($0).release() }
        }
        return key
    }()

    private static var box: Box {
        if let pointer = pthread_getspecific(key) { return Unmanaged<Box>.fromOpaque(pointer).takeUnretainedValue() }
        let box = Box()
        pthread_setspecific(key, Unmanaged.passRetained(box).toOpaque())
        return box
    }

    /// Runs `body` collecting the tickets it owes; returns its result and the latest (0: none).
    static func collecting<T>(_ body: () throws -> T) rethrows -> (T, UInt64) {
        let box = self.box
        box.collecting = true
        box.owed = 0
        defer { box.collecting = false }
        let result = try body()
        return (result, box.owed)
    }

    /// Whether this thread collects and already owes something.
    static var owesSomething: Bool {
        let box = self.box
        return box.collecting && box.owed > 0
    }

    /// Takes `ticket` as owed if this thread collects; false if it must wait itself.
    static func owe(_ ticket: UInt64) -> Bool {
        let box = self.box
        guard box.collecting else { return false }
        box.owed = max(box.owed, ticket)
        return true
    }
}
