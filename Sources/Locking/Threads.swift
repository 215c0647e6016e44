#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `body` on a detached thread of its own: blocking work (a socket, a database, a C
/// library's event loop) that must not hold one of Swift's few cooperative threads. What
/// `body` captures is handed over to that thread (`sending`).
public func startThread(_ body: sending @escaping () -> Void) {
    let thread = JoinableThread(body)
    pthread_detach(thread.handle)
}

/// A thread of its own running `body`, to be waited for with `join()` (exactly once).
public struct JoinableThread: ~Copyable {
    fileprivate let handle: pthread_t

    /// Starts `body` now.
    public init(_ body: sending @escaping () -> Void) {
        let argument = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var handle = pthread_t()
        let created = pthread_create(&handle, nil, { argument in
            Unmanaged<ThreadBody>.fromOpaque(argument!).takeRetainedValue().run()
            return nil
        }, argument)
        precondition(created == 0, "pthread_create failed: \(created)")
        self.handle = handle
    }

    /// Blocks until `body` has returned.
    public consuming func join() {
        pthread_join(handle, nil)
    }
}

private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// Blocks, checking every 2 ms, until `done()` holds or `seconds` of wall time have passed; for
/// a stop that waits on other threads' work (requests, deliveries) for a bounded time.
public func waitUntil(upTo seconds: Double, _ done: () -> Bool) {
    var waited = 0.0
    while !done(), waited < seconds {
        usleep(2_000)
        waited += 0.002
    }
}
