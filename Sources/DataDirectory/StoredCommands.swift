import GRDB
import Locking
import K2Sandbox
import OrderedJSON

#if canImport(Glibc)
import Glibc
#endif

/// A data directory's commands, read and parsed on a thread of their own while the sandbox
/// replays the ones already read (start-up takes the longer of the two, not their sum). Iterate
/// once; then `failure` says whether reading stopped short (a damaged database).
public final class StoredCommands: Sequence, @unchecked Sendable {
    /// How many commands are stored.
    public let count: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let ready = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`.
    private var chunks: [[RecordedCommand]] = []
    private var finished = false
    private var stoppedShort: DataDirectoryError?
    private var journal: [RequestRecord] = []

    /// Starts reading sandbox `sandbox`'s rows of the `commands` table of `database` (`count`
    /// of them) in the background.
    init(database: DatabaseQueue, databasePath: String, sandbox: String = "", count: Int) {
        self.count = count
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(ready, nil)
        let job = ReadJob(commands: self, database: database, path: databasePath, sandbox: sandbox)
        startThread { job.run() }
    }

    deinit {
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(ready)
        mutex.deallocate()
        ready.deallocate()
    }

    /// Why reading stopped before the last command (read it after iterating); nil if it did not.
    public var failure: DataDirectoryError? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return stoppedShort
    }

    /// The latest 100,000 journalled requests, oldest first (read after the commands: ask once iterated).
    public var requests: [RequestRecord] {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !finished { pthread_cond_wait(ready, mutex) }
        return journal
    }

    public var underestimatedCount: Int { count }

    public func makeIterator() -> Iterator { Iterator(source: self) }

    /// Hands out the commands in order, waiting for the reader when it is behind.
    public struct Iterator: IteratorProtocol {
        let source: StoredCommands
        private var chunk: [RecordedCommand] = []
        private var index = 0

        init(source: StoredCommands) { self.source = source }

        public mutating func next() -> RecordedCommand? {
            if index == chunk.count {
                guard let next = source.takeChunk() else { return nil }
                chunk = next
                index = 0
            }
            defer { index += 1 }
            return chunk[index]
        }
    }

    /// The next chunk read, waiting for it; nil once the reader has finished and all were taken.
    private func takeChunk() -> [RecordedCommand]? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while chunks.isEmpty && !finished { pthread_cond_wait(ready, mutex) }
        return chunks.isEmpty ? nil : chunks.removeFirst()
    }

    fileprivate func publish(_ chunk: [RecordedCommand]) {
        pthread_mutex_lock(mutex)
        chunks.append(chunk)
        pthread_cond_signal(ready)
        pthread_mutex_unlock(mutex)
    }

    fileprivate func finish(_ failure: DataDirectoryError?, requests: [RequestRecord] = []) {
        pthread_mutex_lock(mutex)
        finished = true
        stoppedShort = failure
        journal = requests
        pthread_cond_signal(ready)
        pthread_mutex_unlock(mutex)
    }
}

/// The reading thread's work.
private final class ReadJob {
    let commands: StoredCommands
    let database: DatabaseQueue
    let path: String
    let sandbox: String

    init(commands: StoredCommands, database: DatabaseQueue, path: String, sandbox: String) {
        self.commands = commands
        self.database = database
        self.path = path
        self.sandbox = sandbox
    }

    func run() {
        var chunk: [RecordedCommand] = []
        chunk.reserveCapacity(1024)
        do {
            try database.inDatabase { db in
                let rows = try Row.fetchCursor(db, sql: "SELECT seq, at_ms, name, args, made FROM commands WHERE sandbox = ? ORDER BY seq",
                                               arguments: [sandbox])
                while let row = try rows.next() {
                    // Optional reads: a file cut short inside its last page can give NULLs, and
                    // GRDB traps on a NULL read as a number.
                    let seq: Int64? = column(row, 0), at: Int64? = column(row, 1), name: String? = column(row, 2),
                        args: String? = column(row, 3), made: String? = column(row, 4)
                    guard let at, let name, let args, let json = try? JSON.parse(args),
                          let command = RecordedCommand(at: Timestamp(milliseconds: at), name: name, arguments: json, made: made) else {
                        throw DataDirectoryError(.damaged, "\(path): command \(seq.map(String.init) ?? "?") (\(name ?? "?")) is not "
                            + "one this k2mock reads; copy it away to keep it, then start with --reset-data (which empties it)")
                    }
                    chunk.append(command)
                    if chunk.count == 1024 {
                        commands.publish(chunk)
                        chunk.removeAll(keepingCapacity: true)
                    }
                }
            }
            if !chunk.isEmpty { commands.publish(chunk) }
            var requests: [RequestRecord] = []
            try database.inDatabase { db in
                let rows = try Row.fetchCursor(db, sql: "SELECT at_ms, method, path, status FROM requests WHERE sandbox = ? "
                                               + "ORDER BY seq DESC LIMIT 100000", arguments: [sandbox])
                while let row = try rows.next() {
                    // A journal line that does not read (a file cut short) is skipped: the request
                    // journal is a log, not state.
                    let at: Int64? = column(row, 0), method: String? = column(row, 1), path: String? = column(row, 2),
                        status: Int? = column(row, 3)
                    guard let at, let method, let path, let status else { continue }
                    requests.append(RequestRecord(at: Timestamp(milliseconds: at), method: method, path: path, status: status))
                }
            }
            commands.finish(nil, requests: requests.reversed())
        } catch let error as DataDirectoryError {
            commands.finish(error)
        } catch let error as DatabaseError {
            commands.finish(DataDirectoryError(.damaged, "\(path) is damaged (SQLite: \(error.message ?? "\(error.resultCode)")); "
                + "k2mock leaves it as it is: move it away, or start with --reset-data to keep it aside and begin again"))
        } catch {
            commands.finish(DataDirectoryError(.damaged, "\(path) cannot be read: \(error)"))
        }
    }
}

/// Column `index` of `row` as a `T`, or nil when it is NULL or holds something else: GRDB's
/// typed subscripts trap on both, and a damaged file can hold either.
func column<T: DatabaseValueConvertible>(_ row: Row, _ index: Int) -> T? {
    T.fromDatabaseValue(row[index] as DatabaseValue)
}
