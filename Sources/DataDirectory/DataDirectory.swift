import Crypto
import GRDB
import K2Sandbox
import OrderedJSON

#if canImport(Glibc)
import Glibc
#endif

/// A folder that keeps one sandbox across restarts (`k2mock serve --data-dir DIR`):
/// `k2mock.sqlite` (SQLite in WAL mode; its tables are in `Schema`) and `k2mock.lock`.
/// Opening it takes the lock, checks that it was made from the same scenario, seed and clock,
/// and reads back what a restart replays; `journal` then keeps every new input.
public final class DataDirectory: Sendable {
    /// What a sandbox is made from; a data directory serves only the one it was made from.
    public struct Identity: Sendable {
        /// SHA-256 (hex) of the scenario's files as read (`ScenarioDigest`).
        public var scenarioDigest: String
        /// The scenario's path, for messages.
        public var scenarioSource: String
        /// The seed asked for (`--seed` or the scenario's); nil lets the directory choose one and keep it.
        public var seed: UInt64?
        public var clockMode: ClockMode
        /// Sandbox seconds per wall second.
        public var timeScale: Double

        public init(scenarioDigest: String, scenarioSource: String, seed: UInt64?, clockMode: ClockMode, timeScale: Double) {
            self.scenarioDigest = scenarioDigest
            self.scenarioSource = scenarioSource
            self.seed = seed
            self.clockMode = clockMode
            self.timeScale = timeScale
        }
    }

    /// What was kept: enough to rebuild the sandbox with `Sandbox(scenario:defaultStart:restoring:...)`.
    public struct Restored: Sendable {
        /// The seed to run with (the one the directory was made with).
        public var seed: UInt64
        /// Sandbox time the directory's sandbox started at, for scenarios without `clock.start`.
        public var defaultStart: Timestamp
        /// Read in the background as they are replayed, then the request journal; check
        /// `failure` once replayed.
        public var commands: StoredCommands
        /// Sandbox time that passed while k2mock was down: a real clock keeps running (zero on a manual one).
        public var downtime: TimeSpan
        /// Whether the directory was new (or reset by `--reset-data`).
        public var created: Bool
        /// The sandboxes made beside the server's own that were alive, oldest first: make each
        /// again with `SandboxHub.restore`, its inputs from `commands(of:)`.
        public var sandboxes: [KeptSandbox] = []
    }

    /// A sandbox made beside the server's own, as a data directory kept it.
    public struct KeptSandbox: Sendable {
        public var spec: SandboxSpec
        /// Sandbox time it started at.
        public var start: Timestamp
        /// Sandbox time its real clock ran on while k2mock was down (zero on a manual one).
        public var downtime: TimeSpan
        /// How many commands it kept.
        public var count: Int
    }

    public let path: String
    /// `<path>/k2mock.sqlite`.
    public let databasePath: String
    private let lock: DirectoryLock
    private let database: DatabaseQueue
    private let writer: CommandWriter

    /// Where the server's own sandbox writes its inputs.
    public let journal: any SandboxJournal

    /// Sandbox `id`'s commands, read in the background as they are replayed (then its request
    /// journal); check `failure` once replayed.
    public func commands(of sandbox: KeptSandbox) -> StoredCommands {
        StoredCommands(database: database, databasePath: databasePath, sandbox: sandbox.spec.name, count: sandbox.count)
    }

    /// Opens (making it if needed) the data directory at `path` for a sandbox made from
    /// `identity`. `resetData` discards what it holds instead of refusing a different
    /// scenario, seed or clock, and moves a damaged database aside (to `k2mock.sqlite.damaged-<ms>`).
    /// `wallClock` gives the system's time in milliseconds. Throws `DataDirectoryError`.
    public static func open(
        path: String, identity: Identity, resetData: Bool,
        wallClock: @escaping @Sendable () -> Int64 = { Sandbox.wallClockNow().milliseconds }
    ) throws(DataDirectoryError) -> (DataDirectory, Restored) {
        try makeDirectory(path)
        let lock = try DirectoryLock(path: path + "/k2mock.lock")
        do {
            let databasePath = path + "/k2mock.sqlite"
            var (database, restored) = try load(databasePath, identity: identity, resetData: resetData, wallClock: wallClock)
            if restored == nil {
                // Damaged, and --reset-data said to start again: keep the damaged file for a post-mortem.
                let aside = "\(databasePath).damaged-\(wallClock())"
                for suffix in ["", "-wal", "-shm"] { _ = rename(databasePath + suffix, aside + suffix) }
                printWarning("k2mock: moved the damaged \(databasePath) to \(aside)")
                (database, restored) = try load(databasePath, identity: identity, resetData: true, wallClock: wallClock)
            }
            let directory = DataDirectory(path: path, databasePath: databasePath, lock: lock, database: database,
                                          writer: CommandWriter(database: database, path: databasePath, wallClock: wallClock))
            directory.writer.start()
            return (directory, restored!)
        } catch {
            lock.release()
            throw error
        }
    }

    private init(path: String, databasePath: String, lock: DirectoryLock, database: DatabaseQueue, writer: CommandWriter) {
        self.path = path
        self.databasePath = databasePath
        self.lock = lock
        self.database = database
        self.writer = writer
        self.journal = writer.journal(for: "")
    }

    /// Writes what is queued, closes the database and lets the lock go.
    public func close() {
        writer.stop()
        try? database.close()
        lock.release()
    }

    // MARK: Opening

    private static func makeDirectory(_ path: String) throws(DataDirectoryError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw DataDirectoryError(.unusable, "\(path) is not a directory") }
            return
        }
        var built = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o755) != 0 && errno != EEXIST {
                throw DataDirectoryError(.unusable, "cannot make \(built): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Opens the database and reads it back; nil restored when it is damaged and `resetData` asks to start again.
    private static func load(
        _ databasePath: String, identity: Identity, resetData: Bool, wallClock: @escaping @Sendable () -> Int64
    ) throws(DataDirectoryError) -> (DatabaseQueue, Restored?) {
        var info = stat()
        if stat(databasePath, &info) == 0, info.st_size == 0 {
            // SQLite would take an empty file for a new database; k2mock never leaves one
            // empty once made, so this one was truncated.
            guard resetData else {
                throw DataDirectoryError(.damaged, "\(databasePath) is empty (truncated); k2mock leaves it as it is: move it "
                    + "away, or start with --reset-data to keep it aside and begin again")
            }
            return (try! DatabaseQueue(), nil)
        }
        var configuration = Configuration()
        configuration.label = "k2mock data directory"
        // WAL set by hand rather than with `journalMode = .wal`: GRDB then also creates and drops
        // a table to make a WAL file, which would write to a damaged database before it is read.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let database: DatabaseQueue
        do {
            database = try DatabaseQueue(path: databasePath, configuration: configuration)
        } catch let error as DatabaseError where isDamage(error) {
            guard resetData else { throw damaged(databasePath, error) }
            return (try! DatabaseQueue(), nil)
        } catch {
            throw DataDirectoryError(.unusable, "cannot open \(databasePath): \(error)")
        }
        do {
            let restored = try database.writeWithoutTransaction { db throws -> Restored in
                // Another layout is refused before this one's tables and indexes touch it.
                var meta: [String: String] = [:]
                if try db.tableExists("meta") {
                    for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta") {
                        if let key: String = column(row, 0), let value: String = column(row, 1) { meta[key] = value }
                    }
                    if !meta.isEmpty, let damage = damage(of: meta, databasePath: databasePath) {
                        // A reset keeps a damaged database aside rather than emptying it (`open`).
                        guard resetData else { throw damage }
                        throw DamagedForReset()
                    }
                }
                for statement in Schema.statements { try db.execute(sql: statement) }
                return try read(db, database, meta: meta, databasePath: databasePath, identity: identity, resetData: resetData,
                                wallClock: wallClock)
            }
            return (database, restored)
        } catch let error as DataDirectoryError {
            try? database.close()
            throw error
        } catch is DamagedForReset {
            try? database.close()
            return (try! DatabaseQueue(), nil)
        } catch let error as DatabaseError where isDamage(error) {
            try? database.close()
            guard resetData else { throw damaged(databasePath, error) }
            return (try! DatabaseQueue(), nil)
        } catch {
            try? database.close()
            throw DataDirectoryError(.unusable, "cannot read \(databasePath): \(error)")
        }
    }

    /// What a restart replays, `meta` as read before this layout's schema was applied (empty for a new file).
    private static func read(
        _ db: Database, _ database: DatabaseQueue, meta: [String: String], databasePath: String, identity: Identity,
        resetData: Bool, wallClock: () -> Int64
    ) throws -> Restored {
        var meta = meta
        if !meta.isEmpty, !resetData {
            try check(meta, against: identity, databasePath: databasePath)
        }
        if meta.isEmpty || resetData {
            let seed = identity.seed ?? UInt64.random(in: 0...UInt64.max)
            let now = wallClock()
            // Where a clock without `clock.start` starts: a manual one at a fixed instant, as
            // without a data directory; a real one now.
            let start = identity.clockMode == .manual ? Sandbox.manualClockStart.milliseconds : now
            meta = [
                "format": Schema.version, "scenario_sha256": identity.scenarioDigest, "scenario": identity.scenarioSource,
                "seed": String(seed), "seed_given": identity.seed == nil ? "false" : "true",
                "clock_mode": identity.clockMode.rawValue, "time_scale": String(identity.timeScale),
                "start_ms": String(start), "anchor_wall_ms": String(now),
            ]
            try db.inTransaction {
                try db.execute(sql: "DELETE FROM meta; DELETE FROM commands; DELETE FROM requests; DELETE FROM sandboxes")
                for (key, value) in meta.sorted(by: { $0.key < $1.key }) {
                    try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
                }
                return .commit
            }
            return Restored(seed: seed, defaultStart: Timestamp(milliseconds: start),
                            commands: StoredCommands(database: database, databasePath: databasePath, count: 0),
                            downtime: .zero, created: true)
        }
        guard let seed = meta["seed"].flatMap({ UInt64($0) }), let start = meta["start_ms"].flatMap({ Int64($0) }),
              let anchor = meta["anchor_wall_ms"].flatMap({ Int64($0) }) else {
            throw DataDirectoryError(.damaged, "\(databasePath): its meta table's seed, start_ms or anchor_wall_ms is not a "
                + "number; move it away, or start with --reset-data")
        }
        let now = wallClock()
        /// How many commands sandbox `id` kept, and the sandbox time its real clock ran on since the last.
        func kept(_ id: String, anchor: Int64, mode: ClockMode, scale: Double) throws -> (Int, TimeSpan) {
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM commands WHERE sandbox = ?", arguments: [id]) ?? 0
            let lastWall = try DatabaseValue.fetchOne(
                db, sql: "SELECT wall_ms FROM commands WHERE sandbox = ? ORDER BY seq DESC LIMIT 1", arguments: [id])
                .flatMap { Int64.fromDatabaseValue($0) }
            guard mode == .real else { return (count, .zero) }
            let since = max(0, now - (lastWall ?? anchor))
            return (count, TimeSpan(milliseconds: Int64((Double(since) * scale).rounded())))
        }
        let (count, downtime) = try kept("", anchor: anchor, mode: identity.clockMode, scale: identity.timeScale)
        var sandboxes: [KeptSandbox] = []
        for row in try Row.fetchAll(db, sql: "SELECT id, spec, start_ms, anchor_wall_ms FROM sandboxes ORDER BY seq") {
            let id: String? = column(row, 0), text: String? = column(row, 1), start: Int64? = column(row, 2),
                anchor: Int64? = column(row, 3)
            guard let id, let text, let start, let anchor, let json = try? JSON.parse(text),
                  let spec = try? OrderedJSONDecoder().decode(SandboxSpec.self, from: json), spec.name == id else {
                throw DataDirectoryError(.damaged, "\(databasePath): sandbox \(column(row, 0) as String? ?? "?") is not one this "
                    + "k2mock reads; copy it away to keep it, then start with --reset-data (which empties it)")
            }
            // The clock a sandbox runs on is its spec's, else the server's scenario's.
            let mode = spec.clock ?? identity.clockMode, scale = spec.timeScale ?? identity.timeScale
            let (count, downtime) = try kept(id, anchor: anchor, mode: mode, scale: scale)
            sandboxes.append(KeptSandbox(spec: spec, start: Timestamp(milliseconds: start), downtime: downtime, count: count))
        }
        return Restored(seed: seed, defaultStart: Timestamp(milliseconds: start),
                        commands: StoredCommands(database: database, databasePath: databasePath, count: count),
                        downtime: downtime, created: false, sandboxes: sandboxes)
    }

    /// Why `meta` is not one this k2mock wrote (another layout, or keys missing); nil if it is.
    private static func damage(of meta: [String: String], databasePath: String) -> DataDirectoryError? {
        guard meta["format"] == Schema.version else {
            return DataDirectoryError(.damaged, "\(databasePath) has layout \(meta["format"] ?? "unknown"), this k2mock reads "
                + "\(Schema.version); move it away, or start with --reset-data to keep it aside and begin again")
        }
        for key in ["scenario_sha256", "seed", "seed_given", "clock_mode", "time_scale", "start_ms", "anchor_wall_ms"] where meta[key] == nil {
            return DataDirectoryError(.damaged, "\(databasePath): its meta table lacks \(key); move it away, or start with "
                + "--reset-data to keep it aside and begin again")
        }
        return nil
    }

    /// Thrown by `read` when `--reset-data` meets a damaged database: `open` moves it aside.
    private struct DamagedForReset: Error {}

    private static func check(_ meta: [String: String], against identity: Identity, databasePath: String) throws {
        func refuse(_ what: String) -> DataDirectoryError {
            DataDirectoryError(.mismatch, "\(databasePath) was made \(what); start with --reset-data to discard what it holds, "
                + "or use another --data-dir")
        }
        if meta["scenario_sha256"] != identity.scenarioDigest {
            throw refuse("from another scenario (\(meta["scenario"] ?? "?"), sha256 \(meta["scenario_sha256"]?.prefix(12) ?? "?")…) "
                + "than \(identity.scenarioSource) (sha256 \(identity.scenarioDigest.prefix(12))…)")
        }
        if let seed = identity.seed, meta["seed"] != String(seed) || meta["seed_given"] != "true" {
            throw refuse(meta["seed_given"] == "true" ? "with seed \(meta["seed"] ?? "?"), not \(seed)"
                                                       : "without a seed, not with seed \(seed)")
        }
        if meta["clock_mode"] != identity.clockMode.rawValue {
            throw refuse("on a \(meta["clock_mode"] ?? "?") clock, not a \(identity.clockMode.rawValue) one")
        }
        // A manual clock ignores the scale, so a different one changes nothing.
        if identity.clockMode == .real, meta["time_scale"].flatMap(Double.init) != identity.timeScale {
            throw refuse("with time scale \(meta["time_scale"] ?? "?"), not \(identity.timeScale)")
        }
    }

    private static func isDamage(_ error: DatabaseError) -> Bool {
        [ResultCode.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode)
    }

    private static func damaged(_ databasePath: String, _ error: DatabaseError) -> DataDirectoryError {
        DataDirectoryError(.damaged, "\(databasePath) is damaged (SQLite: \(error.message ?? "\(error.resultCode)")); k2mock "
            + "leaves it as it is: move it away, or start with --reset-data to keep it aside and begin again")
    }

    /// The SHA-256 (hex) of a scenario's files, in the order they were read.
    public static func scenarioDigest(_ files: [[UInt8]]) -> String {
        var hash = SHA256()
        for file in files {
            withUnsafeBytes(of: UInt64(file.count).littleEndian) { hash.update(bufferPointer: $0) }
            hash.update(data: file)
        }
        return hash.finalize().map { byte in
            let digits = Array("0123456789abcdef")
            return "\(digits[Int(byte >> 4)])\(digits[Int(byte & 0xF)])"
        }.joined()
    }
}

extension DataDirectory: SandboxArchive {
    public func journal(for id: String) -> any SandboxJournal { writer.journal(for: id) }
    public func created(_ spec: SandboxSpec, start: Timestamp) -> UInt64 { writer.created(spec, start: start) }
    public func deleted(_ id: String) -> UInt64 { writer.ended(id) }
    public func waitUntilDurable(_ ticket: UInt64) { writer.waitUntilDurable(ticket) }
}

private func printWarning(_ text: String) {
    writeStandardError(text + "\n")
}
