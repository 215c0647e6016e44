import K2Sandbox
import Locking
import OrderedJSON

#if canImport(Glibc)
import Glibc
#endif

/// One line per request on stderr, as text or JSON. Lines collect in memory and a dedicated
/// thread writes them every 50 ms, so logging costs a request an append, not a system call, and
/// a reader that stops reading blocks that thread only (past 4 MiB unwritten, lines are dropped).
public final class RequestLog: Sendable {
    /// How each request is logged: a text line, a JSON object per line, or not at all.
    public enum Format: String, Sendable, CaseIterable {
        case text, json, none
    }

    public let format: Format
    /// Unwritten lines, lines dropped, and the last timestamp written (many requests share a
    /// millisecond under load, so it is formatted once per millisecond, not once per line).
    /// `spare` is the buffer written last, emptied with its capacity kept: lines go into one
    /// while the other is written, so a busy server's buffer is not grown again from nothing
    /// every 50 ms (hundreds of kB, in fresh pages each time).
    private struct Pending {
        var bytes: [UInt8] = []
        var spare: [UInt8] = []
        var dropped = 0
        var stampedAt = Int64.min
        var stamp: [UInt8] = []
    }
    private let buffer = Locked(Pending())
    private let running = Locked(false)
    private let descriptor: Int32
    private static let limit = 4 << 20

    /// Logs to file descriptor `descriptor` (stderr by default) once `start()` is called.
    public init(format: Format, descriptor: Int32 = 2) {
        self.format = format
        self.descriptor = descriptor
    }

    func start() {
        guard format != .none, running.withLock({ started in defer { started = true }; return !started }) else { return }
        startThread { [self] in
            while running.withLock({ $0 }) {
                usleep(50_000)
                flush()
            }
        }
    }

    func stop() {
        running.withLock { $0 = false }
        flush()
    }

    /// `sandbox` names a sandbox beside the server's own (nil: the server's own) (`[name]` in text, `"sandbox"` in JSON);
    /// `reason` says why a refused request was refused (` — reason` in text, `"reason"` in JSON).
    func log(at time: Timestamp, method: String, path: String, status: Int, sandbox: String? = nil, reason: String? = nil) {
        guard format != .none else { return }
        // Written straight into the buffer under its lock: a line costs no allocation of its own.
        // The stamp is appended through a pointer: appending the array would retain and release
        // it, and the server's two threads would pass its reference count back and forth. The
        // lock is taken without `withLock`, whose closure copied every string it captured.
        buffer.lock()
        defer { buffer.unlock() }
        let pending = buffer.unsafeValue
        guard pending.pointee.bytes.count < RequestLog.limit else { pending.pointee.dropped += 1; return }
        if pending.pointee.stampedAt != time.milliseconds {
            pending.pointee.stampedAt = time.milliseconds
            pending.pointee.stamp.removeAll(keepingCapacity: true)
            time.appendISO8601(to: &pending.pointee.stamp)
        }
        pending.pointee.stamp.withUnsafeBufferPointer { stamp in
            switch format {
            case .text:
                pending.pointee.bytes.append(contentsOf: stamp)
                if let sandbox {
                    pending.pointee.bytes.append(contentsOf: " [".utf8)
                    appendOnOneLine(sandbox, to: &pending.pointee.bytes)
                    pending.pointee.bytes.append(93)
                }
                pending.pointee.bytes.append(32); appendOnOneLine(method, to: &pending.pointee.bytes)
                pending.pointee.bytes.append(32); appendOnOneLine(path, to: &pending.pointee.bytes)
                pending.pointee.bytes.append(32); appendDecimal(status, to: &pending.pointee.bytes)
                if let reason { pending.pointee.bytes.append(contentsOf: " — ".utf8); appendUTF8(reason, to: &pending.pointee.bytes) }
            case .json:
                pending.pointee.bytes.append(contentsOf: #"{"time":""#.utf8)
                pending.pointee.bytes.append(contentsOf: stamp)
                pending.pointee.bytes.append(contentsOf: #"","method":"#.utf8); JSON.string(method).write(into: &pending.pointee.bytes)
                pending.pointee.bytes.append(contentsOf: #","path":"#.utf8); JSON.string(path).write(into: &pending.pointee.bytes)
                pending.pointee.bytes.append(contentsOf: #","status":"#.utf8); appendDecimal(status, to: &pending.pointee.bytes)
                if let sandbox { pending.pointee.bytes.append(contentsOf: #","sandbox":"#.utf8); JSON.string(sandbox).write(into: &pending.pointee.bytes) }
                if let reason { pending.pointee.bytes.append(contentsOf: #","reason":"#.utf8); JSON.string(reason).write(into: &pending.pointee.bytes) }
                pending.pointee.bytes.append(125)
            case .none:
                return
            }
            pending.pointee.bytes.append(10)
        }
    }

    /// A line about the server itself (`k2mock: <text>`), written with the requests' lines
    /// whatever the format (none included: it is rare and worth seeing).
    func note(_ text: String) {
        let line = Array("k2mock: \(text)\n".utf8)
        if format == .none {
            _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            return
        }
        buffer.withLock { $0.bytes.append(contentsOf: line) }
    }

    func flush() {
        var bytes: [UInt8] = []
        buffer.withLock { pending in
            if pending.dropped > 0 {
                pending.bytes += Array("(\(pending.dropped) log lines dropped: stderr is not being read)\n".utf8)
                pending.dropped = 0
            }
            swap(&bytes, &pending.bytes)
            swap(&pending.bytes, &pending.spare)
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written <= 0 { break }
            offset += written
        }
        bytes.removeAll(keepingCapacity: true)
        buffer.withLock { pending in
            if pending.spare.capacity < bytes.capacity { swap(&pending.spare, &bytes) }
        }
    }
}

/// `string`'s bytes, copied at once rather than through the generic view: a line per request.
private func appendUTF8(_ string: String, to bytes: inout [UInt8]) {
    string.withUTF8Bytes { bytes.append(contentsOf: $0) }
}

/// `string` as it is when it is printable ASCII, else with what is not printable escaped
/// (`\u000a`): a path is percent-decoded, and a `%0A` in it would start a forged line.
private func appendOnOneLine(_ string: String, to bytes: inout [UInt8]) {
    let printable = string.withUTF8Bytes { text in
        var index = 0
        while index < text.count {
            guard text[index] >= 0x20, text[index] < 0x7F else { return false }
            index += 1
        }
        return true
    }
    appendUTF8(printable ? string : string.onOneLine, to: &bytes)
}

/// `value` in decimal, without making a string of it.
private func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
    guard value >= 0 else { appendUTF8(String(value), to: &bytes); return }
    var divisor = 1
    while divisor <= value / 10 { divisor *= 10 }
    var rest = value
    while divisor > 0 {
        bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
        rest %= divisor
        divisor /= 10
    }
}
