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

/// What came of it: an HTTP status, or what went wrong in plain words (refused, timed out, ...).
public struct OutboundResult: Sendable, Equatable {
    public var status: Int?
    public var error: String?
    /// Wall milliseconds from the start of the transfer to its end.
    public var latencyMilliseconds: Double
    /// The client stopped before the POST was made or finished: nothing is known of it.
    public var interrupted = false
    /// Wall milliseconds it waited before the transfer started (the per-receiver limit).
    public var waitedMilliseconds: Double = 0

    public var isSuccess: Bool { status.map { (200..<300).contains($0) } ?? false }
}

/// POSTs over libcurl's multi interface from one dedicated OS thread: every transfer runs at
/// once (up to `maxTransfers`, and `maxPerReceiver` to any one scheme, host and port), so a
/// receiver that never answers holds only its own transfers, never another receiver's. Callers
/// await results; the blocking waits never run on Swift's cooperative pool.
///
/// Only `http` and `https` are spoken, redirects are not followed, and a proxy is used only
/// when given (`http_proxy` and friends in the environment are ignored).
public final class CurlClient: Sendable {
    /// How many transfers may run at once, in all and to one receiver (scheme, host and port).
    public struct Limits: Sendable {
        public var maxTransfers: Int
        public var maxPerReceiver: Int

        /// 4,096 in all, 32 to one receiver: 128 receivers that hang do not fill it. The client
        /// raises the process's open-file limit to fit, or lowers `maxTransfers` to what fits.
        public init(maxTransfers: Int = 4096, maxPerReceiver: Int = 32) {
            self.maxTransfers = max(1, maxTransfers)
            self.maxPerReceiver = max(1, min(maxPerReceiver, self.maxTransfers))
        }
    }

    fileprivate struct Job: Sendable {
        let request: OutboundRequest
        let continuation: CheckedContinuation<OutboundResult, Never>
        /// Monotonic nanoseconds when `send` was called.
        let queued = monotonicNanoseconds()
    }

    private struct Inbox: Sendable {
        var jobs: [Job] = []
        var stopping = false
        /// Monotonic nanoseconds after which transfers still running are abandoned.
        var deadline: UInt64 = .max
    }

    private let inbox = Locked(Inbox())
    private let multi: MultiHandle?
    private let limits: Limits
    private let proxy: String?
    private let finished = DispatchSemaphore(value: 0)

    /// `proxy`: an `http://host:port` to send every POST through; nil: none.
    public init(limits: Limits = Limits(), proxy: String? = nil) {
        self.limits = Limits(maxTransfers: min(limits.maxTransfers, fileDescriptorsForTransfers(wanted: limits.maxTransfers)),
                             maxPerReceiver: limits.maxPerReceiver)
        self.proxy = proxy
        guard curlLoaded, let handle = k2_curl_multi_init() else {
            multi = nil
            inbox.withLock { $0.stopping = true }
            return
        }
        // Keep-alive across transfers (by default the cache shrinks with the handles in use),
        // but not hundreds of idle connections to receivers long gone.
        k2_curl_multi_keep_connections(handle, 64)
        multi = MultiHandle(pointer: handle)
        startThread { [self] in loop() }
    }

    /// Sends one request and waits (without holding a thread) for its outcome.
    public func send(_ request: OutboundRequest) async -> OutboundResult {
        await withCheckedContinuation { continuation in
            let accepted = inbox.withLock { inbox -> Bool in
                guard !inbox.stopping, let multi else { return false }
                inbox.jobs.append(Job(request: request, continuation: continuation))
                // Under the lock: the loop frees the handle only after it saw `stopping`.
                k2_curl_multi_wakeup(multi.pointer)
                return true
            }
            if !accepted {
                let reason = curlLoaded ? "k2mock is stopping" : "libcurl.so.4 could not be loaded (install libcurl4)"
                continuation.resume(returning: OutboundResult(status: nil, error: reason, latencyMilliseconds: 0,
                                                              interrupted: curlLoaded))
            }
        }
    }

    /// Stops: nothing new starts, transfers not yet started end `interrupted` at once, and those
    /// running get `graceMilliseconds` of wall time to finish before they are abandoned
    /// (`interrupted` too). Returns when every caller has its answer.
    public func shutdown(graceMilliseconds: Int = 1000) {
        let first = inbox.withLock { inbox -> Bool in
            defer { inbox.stopping = true }
            guard !inbox.stopping else { return false }
            inbox.deadline = monotonicNanoseconds() + UInt64(max(0, graceMilliseconds)) * 1_000_000
            if let multi { k2_curl_multi_wakeup(multi.pointer) }
            return true
        }
        guard first, multi != nil else { return }
        finished.wait()
    }

    // MARK: The transfer thread

    /// Runs every transfer until `shutdown`; the only code that touches the multi handle
    /// besides `k2_curl_multi_wakeup`.
    private func loop() {
        guard let multi = multi?.pointer else { return }
        var running: [UnsafeMutableRawPointer: Transfer] = [:]
        var perReceiver: [String: Int] = [:]
        // Jobs not started yet, first come first served per receiver; `receivers` lists those
        // with jobs waiting, in the order they first had one.
        var queues: [String: Queue<Job>] = [:]
        var receivers: [String] = []
        // Easy handles of finished transfers, reused: making one per POST costs more than the POST.
        var idle: [UnsafeMutableRawPointer] = []
        defer { for handle in idle { k2_curl_easy_cleanup(handle) } }

        func start(_ job: Job, to receiver: String) {
            let transfer = Transfer(job: job, receiver: receiver)
            guard let handle = transfer.configure(proxy: proxy, reusing: idle.popLast()) else {
                job.continuation.resume(returning: transfer.result(code: CURLE_FAILED_INIT))
                transfer.close()
                return
            }
            running[handle] = transfer
            perReceiver[receiver, default: 0] += 1
            k2_curl_multi_add(multi, handle)
        }

        /// Starts waiting jobs as far as the limits allow: each receiver's oldest first, and a
        /// receiver at its limit holds up only its own.
        func startWaiting() {
            var index = 0
            while index < receivers.count, running.count < limits.maxTransfers {
                let receiver = receivers[index]
                while perReceiver[receiver, default: 0] < limits.maxPerReceiver, running.count < limits.maxTransfers,
                      let job = queues[receiver]?.pop() {
                    start(job, to: receiver)
                }
                if queues[receiver]?.isEmpty ?? true {
                    queues[receiver] = nil
                    receivers.remove(at: index)
                } else {
                    index += 1
                }
            }
        }

        func end(_ handle: UnsafeMutableRawPointer, with result: (Transfer) -> OutboundResult) {
            guard let transfer = running.removeValue(forKey: handle) else { return }
            k2_curl_multi_remove(multi, handle)
            perReceiver[transfer.receiver, default: 1] -= 1
            let outcome = result(transfer)
            if let reusable = transfer.close(keepingHandle: true) { idle.append(reusable) }
            transfer.job.continuation.resume(returning: outcome)
        }

        while true {
            let (jobs, stopping, deadline) = inbox.withLock { inbox in
                defer { inbox.jobs.removeAll() }
                return (inbox.jobs, inbox.stopping, inbox.deadline)
            }
            for job in jobs {
                let receiver = receiver(of: job.request.url)
                if queues[receiver] == nil { receivers.append(receiver) }
                queues[receiver, default: Queue()].push(job)
            }
            if stopping {
                for receiver in receivers {
                    while let job = queues[receiver]?.pop() {
                        job.continuation.resume(returning: OutboundResult(
                            status: nil, error: "k2mock stopped before sending it", latencyMilliseconds: 0, interrupted: true))
                    }
                }
                queues.removeAll()
                receivers.removeAll()
            }
            startWaiting()
            _ = k2_curl_multi_perform(multi)
            var handle: UnsafeMutableRawPointer?
            var code = CURLE_OK
            while k2_curl_multi_done(multi, &handle, &code) != 0, let done = handle {
                end(done) { $0.result(code: code) }
            }
            startWaiting()
            if stopping {
                let now = monotonicNanoseconds()
                if running.isEmpty || now >= deadline {
                    for handle in Array(running.keys) {
                        end(handle) { $0.abandoned() }
                    }
                    break
                }
                k2_curl_multi_poll(multi, Int32(min(100, (deadline - now) / 1_000_000 + 1)))
            } else {
                k2_curl_multi_poll(multi, 1000)
            }
        }
        inbox.withLock { _ in k2_curl_multi_cleanup(multi) }
        finished.signal()
    }
}

/// The multi handle, shared with `send` for `k2_curl_multi_wakeup` (which libcurl allows from
/// any thread) and otherwise used by the transfer thread alone.
private struct MultiHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}

/// One transfer on the transfer thread: its easy handle and what it must keep alive while it
/// runs (the URL, headers, body and error buffer are read by libcurl, not copied).
private final class Transfer {
    let job: CurlClient.Job
    let receiver: String
    private var handle: UnsafeMutableRawPointer?
    private var headers: UnsafeMutablePointer<curl_slist>?
    private let url: UnsafeMutablePointer<CChar>
    private let body: UnsafeMutableRawPointer
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    private var proxy: UnsafeMutablePointer<CChar>?
    private let started = monotonicNanoseconds()

    init(job: CurlClient.Job, receiver: String) {
        self.job = job
        self.receiver = receiver
        url = strdup(job.request.url)
        body = UnsafeMutableRawPointer.allocate(byteCount: max(1, job.request.body.count), alignment: 1)
        job.request.body.withUnsafeBytes { body.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, byteCount: $0.count) }
        errorBuffer.initialize(to: 0)
    }

    /// Makes the easy handle; nil if libcurl could not.
    /// Sets up `reused` (a finished transfer's handle) or a new easy handle; nil if libcurl
    /// could not make one.
    func configure(proxy proxyURL: String?, reusing reused: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        guard let handle = reused ?? k2_curl_easy_init() else { return nil }
        self.handle = handle
        for (name, value) in job.request.headers { headers = k2_curl_slist_append(headers, "\(name): \(value)") }
        // No `Expect: 100-continue` round trip for larger bodies.
        headers = k2_curl_slist_append(headers, "Expect:")
        proxy = strdup(proxyURL ?? "")
        k2_curl_setopt_ptr(handle, CURLOPT_URL, url)
        k2_curl_setopt_long(handle, CURLOPT_POST, 1)
        k2_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, body)
        k2_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, job.request.body.count)
        k2_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, headers)
        k2_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, job.request.timeoutMilliseconds))
        k2_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        k2_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        // An empty proxy overrides http_proxy and friends in the environment, and an empty
        // no-proxy list overrides no_proxy: only the scenario decides.
        k2_curl_setopt_ptr(handle, CURLOPT_PROXY, proxy)
        k2_curl_ignore_environment(handle)
        k2_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        k2_curl_setopt_write(handle, discardBody)
        guard k2_curl_restrict_to_http(handle) != 0 else { return nil }
        return handle
    }

    private var latency: Double { Double(monotonicNanoseconds() - started) / 1_000_000 }
    private var waited: Double { Double(started - min(started, job.queued)) / 1_000_000 }

    /// The outcome of a finished transfer.
    func result(code: CURLcode) -> OutboundResult {
        let answered = handle.map { Int(k2_curl_response_code($0)) } ?? 0
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            return OutboundResult(status: nil, error: explain(code, detail: detail.isEmpty ? String(cString: k2_curl_strerror(code)) : detail,
                                                              timeout: job.request.timeoutMilliseconds, answered: answered),
                                  latencyMilliseconds: latency, waitedMilliseconds: waited)
        }
        let redirect = (300..<400).contains(answered) ? "a redirect, which k2mock does not follow" : nil
        return OutboundResult(status: answered, error: redirect, latencyMilliseconds: latency, waitedMilliseconds: waited)
    }

    /// A transfer still running when the client stopped.
    func abandoned() -> OutboundResult {
        OutboundResult(status: nil, error: "k2mock stopped while waiting for the answer", latencyMilliseconds: latency,
                       interrupted: true)
    }

    /// Frees what the transfer kept alive; returns its easy handle for reuse if asked,
    /// else cleans it up.
    @discardableResult
    func close(keepingHandle: Bool = false) -> UnsafeMutableRawPointer? {
        var kept: UnsafeMutableRawPointer?
        if let handle {
            if keepingHandle {
                // Nothing may point at what is freed below while the handle waits.
                k2_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, nil)
                k2_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, nil)
                k2_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, nil)
                kept = handle
            } else {
                k2_curl_easy_cleanup(handle)
            }
        }
        handle = nil
        k2_curl_slist_free_all(headers)
        free(url)
        free(proxy)
        body.deallocate()
        errorBuffer.deallocate()
        return kept
    }
}

/// What a receiver did wrong, in plain words, with libcurl's own message after it. `answered`
/// is the status line's code if one arrived (0 if none).
private func explain(_ code: CURLcode, detail: String, timeout: Int, answered: Int) -> String {
    let plain: String
    switch code {
    case CURLE_COULDNT_CONNECT: plain = "nothing accepted the connection"
    case CURLE_COULDNT_RESOLVE_HOST: plain = "the host name does not resolve"
    case CURLE_OPERATION_TIMEDOUT where answered > 0:
        plain = "the receiver answered \(answered) but did not finish the answer within the \(timeout) ms timeout"
    case CURLE_OPERATION_TIMEDOUT: plain = "no complete answer within the \(timeout) ms timeout"
    case CURLE_GOT_NOTHING: plain = "the receiver closed the connection without answering"
    case CURLE_PARTIAL_FILE: plain = "the receiver closed the connection before the end of its answer"
    case CURLE_OUT_OF_MEMORY: plain = "the answer could not be read (its headers are too large)"
    case CURLE_RECV_ERROR where detail.contains("CONNECT tunnel failed"): plain = "the proxy refused the connection"
    case CURLE_RECV_ERROR where detail.lowercased().contains("chunk"): plain = "the answer's chunked encoding is broken"
    case CURLE_RECV_ERROR: plain = "the connection broke while reading the answer"
    case CURLE_SEND_ERROR: plain = "the connection broke while sending the callback"
    case CURLE_UNSUPPORTED_PROTOCOL, CURLE_WEIRD_SERVER_REPLY: plain = "the answer is not HTTP"
    case CURLE_SSL_CONNECT_ERROR: plain = "the TLS handshake failed"
    case CURLE_PEER_FAILED_VERIFICATION: plain = "the receiver's TLS certificate is not trusted"
    case CURLE_URL_MALFORMAT: plain = "the callback URL is malformed"
    case CURLE_TOO_MANY_REDIRECTS: plain = "too many redirects"
    default: plain = "the POST failed"
    }
    return "\(plain) (\(detail))"
}

/// `scheme://host:port` of a URL, the unit the per-receiver limit counts.
private func receiver(of url: String) -> String {
    let bytes = Array(url.utf8)
    guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes[colon...].starts(with: Array("://".utf8)) else { return url }
    var end = colon + 3
    while end < bytes.count, ![UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#")].contains(bytes[end]) { end += 1 }
    return String(decoding: bytes[..<end], as: UTF8.self).lowercased()
}

/// First in, first out, without shifting the array on every pop.
private struct Queue<Element> {
    private var items: [Element] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }

    mutating func push(_ item: Element) { items.append(item) }

    mutating func pop() -> Element? {
        guard head < items.count else { return nil }
        defer {
            head += 1
            if head == items.count { items.removeAll(keepingCapacity: true); head = 0 }
        }
        return items[head]
    }
}

/// Raises the soft open-file limit towards the hard one so `wanted` transfers fit beside the
/// server's own sockets; returns how many transfers fit (at least 64).
private func fileDescriptorsForTransfers(wanted: Int) -> Int {
    let reserve = 512
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 64 }
    let needed = rlim_t(wanted + reserve)
    if limit.rlim_cur < needed {
        var raised = limit
        raised.rlim_cur = min(needed, limit.rlim_max)
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
    }
    return max(64, Int(limit.rlim_cur) - reserve)
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
