import CCurl
import Dispatch
import Locking

#if canImport(Glibc)
import Glibc
#endif

/// One outbound POST.
public struct OutboundRequest: Sendable {
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Whole-request timeout, wall time.
    public var timeoutMilliseconds: Int

    /// A POST of `body` to `url`, given up after `timeoutMilliseconds` of wall time.
    public init(url: String, headers: [(name: String, value: String)], body: [UInt8], timeoutMilliseconds: Int) {
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

/// What came of it: an HTTP status, or the transport error (refused, timed out, ...).
public struct OutboundResult: Sendable, Equatable {
    public var status: Int?
    public var error: String?
    public var latencyMilliseconds: Double

    public var isSuccess: Bool { status.map { (200..<300).contains($0) } ?? false }
}

/// POSTs over libcurl from a few dedicated OS threads, each keeping its own connections alive.
/// Callers await results; the blocking transfers never run on Swift's cooperative pool.
public final class CurlClient: Sendable {
    private struct Job: Sendable {
        let request: OutboundRequest
        let continuation: CheckedContinuation<OutboundResult, Never>
    }

    private let queue = Locked<(jobs: [Job], head: Int, stopping: Bool)>(([], 0, false))
    private let ready = DispatchSemaphore(value: 0)
    private let workerCount: Int
    private let finished = DispatchSemaphore(value: 0)

    /// `workers`: transfers that may run at once.
    public init(workers: Int = 16) {
        workerCount = max(1, workers)
        guard curlLoaded else {
            queue.withLock { $0.stopping = true }
            return
        }
        for _ in 0..<workerCount {
            let box = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            pthread_create(&thread, nil, { argument in
                let client = Unmanaged<CurlClient>.fromOpaque(argument!).takeRetainedValue()
                client.work()
                return nil
            }, box)
            pthread_detach(thread)
        }
    }

    /// Sends one request and waits (without holding a thread) for its outcome.
    public func send(_ request: OutboundRequest) async -> OutboundResult {
        await withCheckedContinuation { continuation in
            let accepted = queue.withLock { state -> Bool in
                guard !state.stopping else { return false }
                state.jobs.append(Job(request: request, continuation: continuation))
                return true
            }
            if accepted {
                ready.signal()
            } else {
                let reason = curlLoaded ? "client stopped" : "libcurl.so.4 could not be loaded (install libcurl4)"
                continuation.resume(returning: OutboundResult(status: nil, error: reason, latencyMilliseconds: 0))
            }
        }
    }

    /// Lets queued transfers finish, then ends the worker threads.
    public func shutdown() {
        let alreadyStopping = queue.withLock { state -> Bool in
            defer { state.stopping = true }
            return state.stopping
        }
        guard !alreadyStopping, curlLoaded else { return }
        for _ in 0..<workerCount { ready.signal() }
        for _ in 0..<workerCount { finished.wait() }
    }

    private func next() -> Job? {
        queue.withLock { state -> Job? in
            guard state.head < state.jobs.count else { return nil }
            let job = state.jobs[state.head]
            state.head += 1
            if state.head > 1024, state.head * 2 > state.jobs.count {
                state.jobs.removeFirst(state.head)
                state.head = 0
            }
            return job
        }
    }

    private func work() {
        let handle = k2_curl_easy_init()
        defer {
            k2_curl_easy_cleanup(handle)
            finished.signal()
        }
        while true {
            ready.wait()
            guard let job = next() else {
                if queue.withLock({ $0.stopping }) { return }
                continue
            }
            job.continuation.resume(returning: perform(job.request, handle))
        }
    }

    private func perform(_ request: OutboundRequest, _ handle: UnsafeMutableRawPointer?) -> OutboundResult {
        guard let handle else { return OutboundResult(status: nil, error: "curl_easy_init failed", latencyMilliseconds: 0) }
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers { headerList = k2_curl_slist_append(headerList, "\(name): \(value)") }
        // No `Expect: 100-continue` round trip for larger bodies.
        headerList = k2_curl_slist_append(headerList, "Expect:")
        defer { k2_curl_slist_free_all(headerList) }
        let started = monotonicNanoseconds()
        let code: CURLcode = request.url.withCString { url in
            request.body.withUnsafeBytes { body in
                k2_curl_setopt_ptr(handle, CURLOPT_URL, url)
                k2_curl_setopt_long(handle, CURLOPT_POST, 1)
                k2_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, body.baseAddress ?? UnsafeRawPointer(bitPattern: 1))
                k2_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
                k2_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, headerList)
                k2_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, request.timeoutMilliseconds))
                k2_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                k2_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
                k2_curl_setopt_write(handle, discardBody)
                return k2_curl_easy_perform(handle)
            }
        }
        let latency = Double(monotonicNanoseconds() - started) / 1_000_000
        guard code == CURLE_OK else {
            return OutboundResult(status: nil, error: String(cString: k2_curl_strerror(code)), latencyMilliseconds: latency)
        }
        return OutboundResult(status: Int(k2_curl_response_code(handle)), error: nil, latencyMilliseconds: latency)
    }
}

/// libcurl loaded and initialised, once per process (Swift runs global initialisers once).
private let curlLoaded: Bool = k2_curl_load() != 0

private let discardBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { _, size, count, _ in
    size * count
}

private func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}
