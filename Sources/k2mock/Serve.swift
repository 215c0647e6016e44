import ArgumentParser
import DataDirectory
import K2MockServer
import K2Sandbox
import Locking
import MicroHTTP

#if canImport(Glibc)
import Glibc
#endif

/// `k2mock serve`: run a sandbox until SIGINT or SIGTERM.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the K2 Connect API on loopback.",
        discussion: """
            With no --scenario, runs the built-in default scenario (scenarios/default.yaml). Exit status: 0 after a \
            stop (SIGINT, SIGTERM); 1 when it cannot listen or the scenario is invalid; with --data-dir 64 (made from \
            another scenario, seed or clock), 65 (damaged), 73 (cannot be made or opened), 74 (a write failed), \
            75 (another k2mock holds it); 64 a usage error.
            """)

    @Option(help: "Address to bind (an IPv4 or IPv6 literal, or localhost).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one and prints it.")
    var port = 8080

    @Option(help: "Scenario file (YAML) to run instead of the built-in default.")
    var scenario: String?

    @Option(help: "Clock mode: real (time passes) or manual (moves only via /__admin/clock/advance).")
    var clock: ClockMode?

    @Option(name: .customLong("time-scale"), help: "Sandbox seconds per wall second in real mode.")
    var timeScale: Double?

    @Option(help: "Seed for ids, references and tokens (with a manual clock: same seed, same requests, same bytes).")
    var seed: UInt64?

    @OptionGroup var admin: AdminTokenOption

    @Option(name: .customLong("log-format"), help: "One line per K2 API request on stderr: text, json or none.")
    var logFormat = RequestLog.Format.text

    @Option(name: .customLong("data-dir"), help: "Keep the sandbox in this directory (SQLite) across restarts.")
    var dataDir: String?

    @Flag(name: .customLong("reset-data"), help: "With --data-dir: discard what it holds and start from the scenario.")
    var resetData = false

    @Option(name: .customLong("max-sandboxes"), help: "How many sandboxes POST /__admin/sandboxes may make beside the server's own.")
    var maxSandboxes = 10_000

    func validate() throws {
        if let timeScale, !(timeScale > 0 && timeScale <= 1_000_000) {
            throw ValidationError("--time-scale must be above 0 and at most 1000000")
        }
        if !(0...1_000_000).contains(maxSandboxes) {
            throw ValidationError("--max-sandboxes must be from 0 to 1000000")
        }
        if !(0...65535).contains(port) {
            throw ValidationError("--port must be from 0 to 65535")
        }
        if resetData, dataDir == nil {
            throw ValidationError("--reset-data needs --data-dir")
        }
        if let dataDir, dataDir.isEmpty {
            // An unset shell variable (`--data-dir "$DIR"`) must not mean the current directory or /.
            throw ValidationError("--data-dir needs a directory")
        }
    }

    func run() throws {
        // Block the stop signals before any thread exists (a data directory's start one), so
        // that every thread inherits the mask and only sigwait below receives them: a stop
        // asked for during a long restore waits for it, then stops cleanly.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        var loaded: Scenario
        // Every file the scenario is made of, as read, in the order read: a data directory
        // keeps their digest. The built-in default is read the same way, so it and
        // scenarios/default.yaml (the same files) are the same scenario.
        let filesRead = Locked<[[UInt8]]>([])
        let recording = { (read: @escaping @Sendable (String) -> [UInt8]?) in
            { @Sendable (path: String) -> [UInt8]? in
                let bytes = read(path)
                filesRead.withLock { $0.append(bytes ?? []) }
                return bytes
            }
        }
        do {
            if let scenario {
                loaded = try ScenarioLoader(readFile: recording(FileSystem.read)).load(path: scenario)
            } else {
                loaded = try ScenarioLoader(readFile: recording { DefaultScenario.files[$0].map { Array($0.utf8) } })
                    .load(path: DefaultScenario.path)
            }
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        if let clock { loaded.clock.mode = clock }
        if let timeScale { loaded.clock.scale = timeScale }
        if let seed { loaded.seed = seed }

        let sandbox: Sandbox
        var directory: DataDirectory?
        var kept: [DataDirectory.KeptSandbox] = []
        if let dataDir {
            (sandbox, directory, kept) = try restore(loaded, from: dataDir, digest: DataDirectory.scenarioDigest(filesRead.withLock { $0 }))
        } else {
            sandbox = Sandbox(scenario: loaded)
        }

        let server = K2MockServer(
            sandbox: sandbox,
            configuration: HTTPServer.Configuration(host: host, port: port),
            log: RequestLog(format: logFormat),
            adminToken: admin.adminToken, maxSandboxes: maxSandboxes, archive: directory)
        if let directory { try restore(kept, from: directory, into: server.hub) }
        let origin: String
        do {
            origin = try server.start()
        } catch {
            printError("k2mock: \(error)")
            directory?.close()
            throw ExitCode(1)
        }
        printLine("k2mock listening on \(origin)")

        var received: Int32 = 0
        sigwait(&signals, &received)
        server.stop()
        directory?.close()
    }

    /// The sandbox kept in `path`, rebuilt by replaying what it holds (or new, if it holds
    /// nothing); says on stderr how much it replayed and how long that took.
    private func restore(
        _ scenario: Scenario, from path: String, digest: String
    ) throws -> (Sandbox, DataDirectory, [DataDirectory.KeptSandbox]) {
        var scenario = scenario
        let started = SandboxClock.systemMonotonic()
        let identity = DataDirectory.Identity(
            scenarioDigest: digest, scenarioSource: scenario.source, seed: scenario.seed,
            clockMode: scenario.clock.mode, timeScale: scenario.clock.scale)
        let (directory, restored): (DataDirectory, DataDirectory.Restored)
        do {
            (directory, restored) = try DataDirectory.open(path: path, identity: identity, resetData: resetData)
        } catch {
            printError("k2mock: \(error)")
            throw ExitCode(error.exitCode)
        }
        scenario.seed = restored.seed
        let read = SandboxClock.systemMonotonic()
        do {
            let sandbox = try Sandbox(
                scenario: scenario, defaultStart: restored.defaultStart, restoring: restored.commands,
                downtime: restored.downtime, journal: directory.journal)
            if let failure = restored.commands.failure {
                directory.close()
                printError("k2mock: \(failure)")
                throw ExitCode(failure.exitCode)
            }
            sandbox.restoreRequests(restored.commands.requests)
            sandbox.resumeInterruptedAttempts()
            if !restored.created {
                let now = SandboxClock.systemMonotonic()
                printError("k2mock: restored \(restored.commands.count) commands from \(directory.databasePath) in "
                    + "\((now - started) / 1_000_000) ms (opening \((read - started) / 1_000_000) ms, reading and replaying \((now - read) / 1_000_000) ms)")
            }
            return (sandbox, directory, restored.sandboxes)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            directory.close()
            printError("k2mock: \(directory.databasePath) cannot be replayed: \(error); copy it away to keep it, then start "
                + "with --reset-data (which empties it)")
            throw ExitCode(65)
        }
    }
}

extension Serve {
    /// The sandboxes made beside the server's own that `directory` kept, made again in `hub` in
    /// the order they were made, each replaying its own inputs.
    private func restore(_ kept: [DataDirectory.KeptSandbox], from directory: DataDirectory, into hub: SandboxHub) throws {
        for sandbox in kept {
            let commands = directory.commands(of: sandbox)
            do {
                let hosted = try hub.restore(sandbox.spec) { scenario, journal in
                    try Sandbox(scenario: scenario, defaultStart: sandbox.start, restoring: commands,
                                downtime: sandbox.downtime, journal: journal)
                }
                if let failure = commands.failure {
                    directory.close()
                    printError("k2mock: \(failure)")
                    throw ExitCode(failure.exitCode)
                }
                hosted.sandbox.restoreRequests(commands.requests)
                hosted.sandbox.resumeInterruptedAttempts()
            } catch let exit as ExitCode {
                throw exit
            } catch {
                directory.close()
                printError("k2mock: \(directory.databasePath): sandbox \(sandbox.spec.name) cannot be replayed: \(error); copy it "
                    + "away to keep it, then start with --reset-data (which empties it)")
                throw ExitCode(65)
            }
        }
        if !kept.isEmpty { printError("k2mock: restored \(kept.count) sandboxes beside the server's own") }
    }
}

/// Writes a line to stdout at once (the "listening" line must not wait in a buffer).
func printLine(_ text: String) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

func printError(_ text: String) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
