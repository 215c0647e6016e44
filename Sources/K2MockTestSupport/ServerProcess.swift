import Locking

#if canImport(Glibc)
import Glibc
#endif

/// The real `k2mock` binary started as a child process on port 0, for end-to-end tests.
public final class ServerProcess {
    public let pid: pid_t
    public let origin: String
    public let port: Int
    private let stdoutFD: Int32

    /// Why the binary could not be started or did not listen.
    public enum Failure: Error, CustomStringConvertible {
        case binaryMissing(String)
        case spawn(Int32)
        case noListeningLine(String)

        public var description: String {
            switch self {
            case .binaryMissing(let path): "k2mock binary not found at \(path); build it first"
            case .spawn(let code): "posix_spawn failed: \(code)"
            case .noListeningLine(let output): "k2mock did not print its listening line; it printed: \(output)"
            }
        }
    }

    /// Starts `binary serve --port 0 <arguments>` and waits for its `listening on` line.
    /// `environment` adds to (or overrides) this process's environment for the child only:
    /// tests never change their own, which other threads read meanwhile (setenv is not
    /// thread-safe).
    public init(binary: String = ServerProcess.defaultBinary(), arguments: [String] = [],
                environment: [String: String] = [:]) throws {
        guard access(binary, X_OK) == 0 else { throw Failure.binaryMissing(binary) }
        let (child, pipeFD, status) = ServerProcess.spawn(binary, ["serve", "--port", "0"] + arguments, environment)
        guard status == 0 else { throw Failure.spawn(status) }
        pid = child
        stdoutFD = pipeFD
        var output: [UInt8] = [], line: [UInt8] = []
        var found: String?
        var byte: UInt8 = 0
        while true {
            let count = read(stdoutFD, &byte, 1)
            if count < 0, errno == EINTR { continue }
            guard count == 1 else { break }
            output.append(byte)
            guard byte == 0x0A else {
                line.append(byte)
                continue
            }
            let prefix = "k2mock listening on ", text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix(prefix) {
                found = String(text.dropFirst(prefix.count))
                break
            }
            line.removeAll()
        }
        guard let found, let portText = found.split(separator: ":").last, let port = Int(portText) else {
            Glibc.kill(child, SIGKILL)
            _ = ServerProcess.wait(for: child)
            close(pipeFD)
            throw Failure.noListeningLine(String(decoding: output, as: UTF8.self))
        }
        origin = found
        self.port = port
        // Keep reading what the server prints (its request log), so it never blocks on a full pipe.
        let fd = stdoutFD
        startThread {
            var chunk = [UInt8](repeating: 0, count: 4096)
            while read(fd, &chunk, chunk.count) > 0 {}
            close(fd)
        }
    }

    /// Sends SIGTERM and returns the exit status.
    @discardableResult
    public func stop() -> Int32 {
        Glibc.kill(pid, SIGTERM)
        return ServerProcess.wait(for: pid)
    }

    /// Kills it with SIGKILL (a crash: nothing runs on the way out) and waits for it.
    @discardableResult
    public func kill() -> Int32 {
        Glibc.kill(pid, SIGKILL)
        return ServerProcess.wait(for: pid)
    }

    /// The child's exit status, or 128 + the signal that killed it (as a shell reports it),
    /// or -1 if it cannot be waited for.
    private static func wait(for child: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(child, &status, 0) == -1 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Starts `binary arguments...` with stdout and stderr on one pipe; returns the child, the
    /// pipe's read end and posix_spawn's status.
    private static func spawn(_ binary: String, _ arguments: [String],
                              _ environment: [String: String] = [:]) -> (pid_t, Int32, Int32) {
        // Close-on-exec, so a child spawned meanwhile by another test does not inherit this
        // pipe and hold it open after this child has exited. (Glibc's pipe2 is not visible
        // to Swift; the window between these calls is tiny.)
        var pipeFDs: [Int32] = [0, 0]
        pipe(&pipeFDs)
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        var cArgs = ([binary] + arguments).map { strdup($0) } + [nil]
        var child: pid_t = 0
        // This process's environment, with `environment`'s variables in place of its own.
        var inherited: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if !environment.keys.contains(where: { text.hasPrefix($0 + "=") }) { inherited.append(text) }
            entry += 1
        }
        var cEnvironment = (inherited + environment.map { "\($0.key)=\($0.value)" }).map { strdup($0) } + [nil]
        let status = posix_spawn(&child, binary, &actions, nil, &cArgs, &cEnvironment)
        for pointer in cArgs + cEnvironment { free(pointer) }
        posix_spawn_file_actions_destroy(&actions)
        close(pipeFDs[1])
        return (child, pipeFDs[0], status)
    }

    /// `k2mock` next to the running test bundle (`.build/<triple>/debug/`).
    public static func defaultBinary() -> String {
        var path = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &path, path.count - 1)
        let exe = count > 0 ? String(decoding: path[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        var directory = exe.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        while let last = directory.last, last.hasSuffix(".xctest") || last == "MacOS" || last == "Contents" {
            directory.removeLast()
        }
        return directory.joined(separator: "/") + "/k2mock"
    }

    /// Runs `binary arguments...` to completion; returns its exit status and combined output.
    public static func run(binary: String = ServerProcess.defaultBinary(), _ arguments: [String]) -> (status: Int32, output: String) {
        let (child, outputFD, spawned) = spawn(binary, arguments)
        guard spawned == 0 else { close(outputFD); return (-1, "spawn failed") }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(outputFD, &chunk, chunk.count)
            if count < 0, errno == EINTR { continue }
            if count < 0 { output += Array("<read failed: errno \(errno)>".utf8) }
            if count <= 0 { break }
            output.append(contentsOf: chunk[..<count])
        }
        close(outputFD)
        return (wait(for: child), String(decoding: output, as: UTF8.self))
    }
}
