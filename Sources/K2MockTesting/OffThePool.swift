import Locking

#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking `work` (a socket read, `HTTPServer.stop()`) on a thread of its own and awaits
/// it. Swift's cooperative pool has only as many threads as cores, and a deferred handler
/// needs one of them to finish: a test that blocks a pool thread waiting for that handler can
/// starve it while parallel tests hold the rest, and then waits out a timeout instead.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        startThread { continuation.resume(with: Result { try work() }) }
    }
}

/// `offThePool` for work that cannot throw.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        startThread { continuation.resume(returning: work()) }
    }
}

/// Seconds on the monotonic clock, for tests that time what they wait for.
public func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
