import GRDB
import Locking
import K2Sandbox
import OrderedJSON

#if canImport(Glibc)
import Glibc
#endif

/// The data directory's writer, behind every sandbox's `SandboxJournal` (`journal(for:)`): a
/// sandbox queues commands under its lock, one writer thread commits everything queued so far,
/// for every sandbox, in one transaction (a group commit), and a caller waiting for its ticket
/// is released once that transaction is committed. SQLite's WAL
/// with `synchronous = NORMAL`: a committed transaction survives the process being killed at
/// any moment (not a power cut: README).
///
/// If a write fails (disk full, file removed), nothing acknowledged may be lost, so k2mock
/// says why on stderr and exits 74 before answering anything more.
final class CommandWriter: @unchecked Sendable {
    /// `sandbox` is a sandbox's id; `""` is the server's own.
    private enum Entry {
        case command(RecordedCommand, wallMilliseconds: Int64, sandbox: String)
        case request(RequestRecord, sandbox: String)
        case reset(wallMilliseconds: Int64, sandbox: String)
        case created(SandboxSpec, startMilliseconds: Int64, wallMilliseconds: Int64)
        case ended(sandbox: String)
    }

    private let database: DatabaseQueue
    private let path: String
    private let wallClock: @Sendable () -> Int64
    // Guarded by `mutex`: what is queued, the last ticket given and the last one committed.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let queued = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let committed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var pending: [(ticket: UInt64, entry: Entry)] = []
    private var lastTicket: UInt64 = 0
    private var durableTicket: UInt64 = 0
    private var waiters: [(ticket: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
    private var stopping = false
    /// Each sandbox's live journal (its incarnation): one that ended, or was made again under
    /// the same name, writes nothing more, so work still running on a deleted sandbox can never
    /// land in its successor's inputs.
    private var live: [String: UInt64] = [:]
    private var incarnations: UInt64 = 0
    /// A command is queued: someone waits for its commit.
    private var wanted = false
    private var thread: JoinableThread?
    private var running = false

    init(database: DatabaseQueue, path: String, wallClock: @escaping @Sendable () -> Int64) {
        self.database = database
        self.path = path
        self.wallClock = wallClock
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(queued, nil)
        pthread_cond_init(committed, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(queued)
        pthread_cond_destroy(committed)
        mutex.deallocate()
        queued.deallocate()
        committed.deallocate()
    }

    /// Starts the writer thread.
    func start() {
        running = true
        thread = JoinableThread { [self] in run() }
    }

    /// Commits what is queued and stops the writer thread.
    func stop() {
        guard running else { return }
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_signal(queued)
        pthread_mutex_unlock(mutex)
        thread.take()?.join()
        running = false
    }

    // MARK: What sandboxes queue

    /// Sandbox `sandbox`'s journal (`""`: the server's own): a new incarnation, the live one
    /// from now on.
    func journal(for sandbox: String) -> any SandboxJournal {
        pthread_mutex_lock(mutex)
        incarnations += 1
        let incarnation = incarnations
        live[sandbox] = incarnation
        pthread_mutex_unlock(mutex)
        return ScopedJournal(writer: self, sandbox: sandbox, incarnation: incarnation)
    }

    func append(_ command: RecordedCommand, sandbox: String, incarnation: UInt64) -> UInt64 {
        enqueue(.command(command, wallMilliseconds: wallClock(), sandbox: sandbox), wake: true, from: (sandbox, incarnation))
    }

    /// A journal entry nobody waits for goes with the next command's commit, or within
    /// `requestLatency` (waking the writer for each GET would cost more than writing it).
    func appendRequest(_ record: RequestRecord, awaited: Bool, sandbox: String, incarnation: UInt64) -> UInt64 {
        enqueue(.request(record, sandbox: sandbox), wake: awaited, from: (sandbox, incarnation))
    }

    func reset(sandbox: String, incarnation: UInt64) -> UInt64 {
        enqueue(.reset(wallMilliseconds: wallClock(), sandbox: sandbox), wake: true, from: (sandbox, incarnation))
    }

    /// Keeps a sandbox made beside the server's own, which started at `start` (sandbox time).
    func created(_ spec: SandboxSpec, start: Timestamp) -> UInt64 {
        enqueue(.created(spec, startMilliseconds: start.milliseconds, wallMilliseconds: wallClock()), wake: true)
    }

    /// Forgets a sandbox that ended, and all it kept; its journal writes nothing more.
    func ended(_ sandbox: String) -> UInt64 {
        pthread_mutex_lock(mutex)
        live[sandbox] = nil
        pthread_mutex_unlock(mutex)
        return enqueue(.ended(sandbox: sandbox), wake: true)
    }

    /// How long a request journal entry may wait for a commit, in wall nanoseconds.
    private let requestLatency: Int = 100_000_000

    func waitUntilDurable(_ ticket: UInt64) {
        pthread_mutex_lock(mutex)
        while durableTicket < ticket { pthread_cond_wait(committed, mutex) }
        pthread_mutex_unlock(mutex)
    }

    func durable(_ ticket: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            pthread_mutex_lock(mutex)
            if durableTicket >= ticket {
                pthread_mutex_unlock(mutex)
                continuation.resume()
            } else {
                waiters.append((ticket, continuation))
                pthread_mutex_unlock(mutex)
            }
        }
    }

    /// Queues `entry`; one `from` a sandbox's journal that is no longer live is dropped (0: nothing to wait for).
    private func enqueue(_ entry: Entry, wake: Bool, from journal: (sandbox: String, incarnation: UInt64)? = nil) -> UInt64 {
        pthread_mutex_lock(mutex)
        if let journal, live[journal.sandbox] != journal.incarnation {
            pthread_mutex_unlock(mutex)
            return 0
        }
        lastTicket += 1
        let ticket = lastTicket
        pending.append((ticket, entry))
        if wake { wanted = true; pthread_cond_signal(queued) }
        pthread_mutex_unlock(mutex)
        return ticket
    }

    // MARK: The writer thread

    private func run() {
        var batch: [(ticket: UInt64, entry: Entry)] = []
        while true {
            pthread_mutex_lock(mutex)
            while !wanted && !stopping {
                if pending.isEmpty {
                    pthread_cond_wait(queued, mutex)
                } else {
                    // Only journal entries: commit them after a while, or sooner with a command.
                    var deadline = timespec()
                    clock_gettime(CLOCK_REALTIME, &deadline)
                    let nanoseconds = Int(deadline.tv_nsec) + requestLatency
                    deadline.tv_sec += nanoseconds / 1_000_000_000
                    deadline.tv_nsec = nanoseconds % 1_000_000_000
                    if pthread_cond_timedwait(queued, mutex, &deadline) == ETIMEDOUT { break }
                }
            }
            if pending.isEmpty && stopping {
                pthread_mutex_unlock(mutex)
                return
            }
            wanted = false
            swap(&batch, &pending)
            pthread_mutex_unlock(mutex)
            if batch.isEmpty { continue }

            do {
                try write(batch)
            } catch {
                let message = "k2mock: cannot write to \(path): \(error); stopping so that nothing is answered that is not kept\n"
                writeStandardError(message)
                exit(74)
            }

            pthread_mutex_lock(mutex)
            durableTicket = batch.last!.ticket
            var ready: [CheckedContinuation<Void, Never>] = []
            waiters.removeAll { waiter in
                guard waiter.ticket <= durableTicket else { return false }
                ready.append(waiter.continuation)
                return true
            }
            pthread_cond_broadcast(committed)
            pthread_mutex_unlock(mutex)
            for continuation in ready { continuation.resume() }
            batch.removeAll(keepingCapacity: true)
        }
    }

    private func write(_ batch: [(ticket: UInt64, entry: Entry)]) throws {
        try database.writeWithoutTransaction { db in
            try db.inTransaction {
                let command = try db.cachedStatement(
                    sql: "INSERT INTO commands (sandbox, at_ms, wall_ms, name, args, made) VALUES (?, ?, ?, ?, ?, ?)")
                let request = try db.cachedStatement(
                    sql: "INSERT INTO requests (sandbox, at_ms, method, path, status) VALUES (?, ?, ?, ?, ?)")
                for (_, entry) in batch {
                    switch entry {
                    case let .command(recorded, wall, sandbox):
                        let (name, arguments) = recorded.encoded()
                        try command.execute(arguments: [sandbox, recorded.at.milliseconds, wall, name, arguments.compactString, recorded.made])
                    case let .request(record, sandbox):
                        try request.execute(arguments: [sandbox, record.at.milliseconds, record.method, record.path, record.status])
                    case let .reset(wall, sandbox):
                        // A real clock starts again from now: a restart measures its downtime from here.
                        try db.execute(sql: "DELETE FROM commands WHERE sandbox = ?; DELETE FROM requests WHERE sandbox = ?",
                                       arguments: [sandbox, sandbox])
                        if sandbox.isEmpty {
                            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'anchor_wall_ms'", arguments: [String(wall)])
                        } else {
                            try db.execute(sql: "UPDATE sandboxes SET anchor_wall_ms = ? WHERE id = ?", arguments: [wall, sandbox])
                        }
                    case let .created(spec, start, wall):
                        let text = try OrderedJSONEncoder().encode(spec).compactString
                        // Lines an earlier sandbox of that name wrote after it ended are not this one's.
                        try db.execute(sql: "DELETE FROM commands WHERE sandbox = ?; DELETE FROM requests WHERE sandbox = ?",
                                       arguments: [spec.name, spec.name])
                        try db.execute(sql: "INSERT INTO sandboxes (id, spec, start_ms, anchor_wall_ms) VALUES (?, ?, ?, ?)",
                                       arguments: [spec.name, text, start, wall])
                    case let .ended(sandbox):
                        try db.execute(sql: "DELETE FROM sandboxes WHERE id = ?; DELETE FROM commands WHERE sandbox = ?; "
                                       + "DELETE FROM requests WHERE sandbox = ?", arguments: [sandbox, sandbox, sandbox])
                    }
                }
                return .commit
            }
        }
    }
}

/// One sandbox's journal: its entries, tagged with its id, through the shared writer.
private final class ScopedJournal: SandboxJournal {
    let writer: CommandWriter
    let sandbox: String
    let incarnation: UInt64

    init(writer: CommandWriter, sandbox: String, incarnation: UInt64) {
        self.writer = writer
        self.sandbox = sandbox
        self.incarnation = incarnation
    }

    func append(_ command: RecordedCommand) -> UInt64 { writer.append(command, sandbox: sandbox, incarnation: incarnation) }
    func appendRequest(_ record: RequestRecord, awaited: Bool) -> UInt64 {
        writer.appendRequest(record, awaited: awaited, sandbox: sandbox, incarnation: incarnation)
    }
    func reset() -> UInt64 { writer.reset(sandbox: sandbox, incarnation: incarnation) }
    func waitUntilDurable(_ ticket: UInt64) { writer.waitUntilDurable(ticket) }
    func durable(_ ticket: UInt64) async { await writer.durable(ticket) }
}
