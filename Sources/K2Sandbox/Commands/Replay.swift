extension SandboxState {
    /// Rebuilds the state from recorded commands: each applied through `apply` with the clock
    /// pinned at its recorded time, its result checked against the record (the same id or
    /// token made). Returns where the clock stands after the last one. Nobody listens to a
    /// replay: its changes are not kept for the change feed. Attempts taken and not ended stay
    /// in `inFlight` (a crash interrupted them).
    mutating func replay(_ commands: some Sequence<RecordedCommand>) throws(ReplayError) -> Timestamp {
        var index = 0, stoppedAt = clock.start
        for recorded in commands {
            index += 1
            clock.pin(recorded.at)
            let result: CommandResult
            do {
                result = try apply(recorded.command)
            } catch {
                throw ReplayError(index: index, command: recorded, message: "it was refused this time: \(error.message)")
            }
            guard result.made == recorded.made else {
                throw ReplayError(index: index, command: recorded,
                                  message: "it made \(result.made ?? "nothing"), not \(recorded.made ?? "nothing") as before")
            }
            stoppedAt = clock.now()
            unpublished.removeAll(keepingCapacity: true)
        }
        return stoppedAt
    }
}

/// A recorded command that did not replay as it first ran.
public struct ReplayError: Error, CustomStringConvertible {
    /// Which command (1-based, in `commands.seq` order) and its name.
    public var index: Int
    public var command: String
    public var message: String

    init(index: Int, command: RecordedCommand, message: String) {
        self.index = index
        self.command = command.encoded().name
        self.message = message
    }

    public var description: String { "command \(index) (\(command)) does not replay: \(message)" }
}
