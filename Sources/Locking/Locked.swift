#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value only reachable under its lock: the one way shared state is kept in k2mock.
///
/// A pthread mutex rather than `Synchronization.Mutex`: ThreadSanitizer on Linux (Swift 6.3)
/// does not see `Mutex`'s futex as synchronisation and reports races in an eight-line program
/// that only increments a `Mutex<Int>` from several threads, so it could not vouch for this
/// code. It does intercept pthread mutexes. Same cost here: one uncontended lock is an atomic
/// exchange either way. Adaptive on Linux: a thread that finds it taken spins a little before
/// sleeping, and the server's two threads hold their locks for well under a microsecond, so
/// most waits end without a futex call and a context switch (the docs' GET: 9.60 → 9.33 µs
/// of CPU, 108,000 → 114,000 req/s, five alternated rounds, docs/performance.md).
public final class Locked<Value: Sendable>: @unchecked Sendable {
    /// Behind a pointer, not a stored property: the lock already makes each access exclusive,
    /// and a property's runtime exclusivity check cost every lock a `swift_beginAccess`.
    @usableFromInline let value: UnsafeMutablePointer<Value>
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// Holds `value`; reach it only through `withLock`.
    public init(_ value: Value) {
        self.value = UnsafeMutablePointer<Value>.allocate(capacity: 1)
        self.value.initialize(to: value)
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        #if canImport(Glibc)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        #endif
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    /// Runs `body` with the value, holding the lock; keep it short and never await inside.
    @inlinable
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body(&value.pointee)
    }

    /// The value's address, for a caller that holds the lock by `lock()` and `unlock()`
    /// instead of `withLock`: `withLock`'s closure copies each value it captures (a retain and
    /// a release each), which only the hottest path (a K2 request's journalling) needs to avoid.
    @inlinable
    public var unsafeValue: UnsafeMutablePointer<Value> { value }

    /// Takes the lock; pair with `unlock()`, and touch the value only in between.
    @inlinable
    public func lock() { pthread_mutex_lock(mutex) }

    @inlinable
    public func unlock() { pthread_mutex_unlock(mutex) }
}
