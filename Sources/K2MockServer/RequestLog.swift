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
    public enum Format: String, Sendable, CaseIterable {
        case text, json, none
    }

    public let format: Format
    private let buffer = Locked<(bytes: [UInt8], dropped: Int)>(([], 0))
    private let running = Locked(false)
    private let descriptor: Int32
    private static let limit = 4 << 20

    public init(format: Format, descriptor: Int32 = 2) {
        self.format = format
        self.descriptor = descriptor
    }

    func start() {
        guard format != .none, running.withLock({ started in defer { started = true }; return !started }) else { return }
        var thread = pthread_t()
        pthread_create(&thread, nil, { argument in
            let log = Unmanaged<RequestLog>.fromOpaque(argument!).takeRetainedValue()
            while log.running.withLock({ $0 }) {
                usleep(50_000)
                log.flush()
            }
            return nil
        }, Unmanaged.passRetained(self).toOpaque())
        pthread_detach(thread)
    }

    func stop() {
        running.withLock { $0 = false }
        flush()
    }

    func log(at time: Timestamp, method: String, path: String, status: Int) {
        guard format != .none else { return }
        var line: [UInt8] = []
        line.reserveCapacity(96 + path.utf8.count)
        switch format {
        case .text:
            time.appendISO8601(to: &line)
            line.append(32); line.append(contentsOf: method.utf8)
            line.append(32); line.append(contentsOf: path.utf8)
            line.append(32); line.append(contentsOf: String(status).utf8)
        case .json:
            line.append(contentsOf: #"{"time":""#.utf8); time.appendISO8601(to: &line)
            line.append(contentsOf: #"","method":"#.utf8); JSON.string(method).write(into: &line)
            line.append(contentsOf: #","path":"#.utf8); JSON.string(path).write(into: &line)
            line.append(contentsOf: #","status":"#.utf8); line.append(contentsOf: String(status).utf8)
            line.append(125)
        case .none: return
        }
        line.append(10)
        buffer.withLock { buffer in
            if buffer.bytes.count < RequestLog.limit { buffer.bytes.append(contentsOf: line) } else { buffer.dropped += 1 }
        }
    }

    func flush() {
        let bytes = buffer.withLock { current -> [UInt8] in
            defer { current = ([], 0) }
            if current.dropped > 0 { current.bytes += Array("(\(current.dropped) log lines dropped: stderr is not being read)\n".utf8) }
            return current.bytes
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }
}
