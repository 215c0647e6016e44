/// Rebuilds a sandbox's state from its recorded commands: each is applied at its recorded
/// time through the same `SandboxState` methods that applied it first. Attempts that were
/// taken are held here until their `attemptEnded` (or `attemptLost`) comes.
struct Replay {
    /// Attempts taken and not yet ended, oldest first.
    private(set) var inFlight: [DeliveryJob] = []
    /// How far an advance that never finished (a crash) had got: the due time of the last
    /// attempt it took. A manual clock resumes there, as when the transport stops an advance short.
    private(set) var unfinishedAdvance: Timestamp?

    mutating func apply(_ recorded: RecordedCommand, to state: inout SandboxState,
                        credentials: [ClientCredentials]) throws(ReplayError) {
        // Nobody listens to a replay: its changes are not kept for the change feed.
        defer { state.unpublished.removeAll(keepingCapacity: true) }
        state.clock.pin(recorded.at)
        // Inputs apply what fell due first, as they did live (`SandboxState.beginInput`); the
        // steps of time itself take what is due in due order.
        switch recorded.command {
        case .takeNext, .takeDue, .jump, .clock, .advanced: break
        default: state.applyDueChanges()
        }
        switch recorded.command {
        case let .create(kind, body, clientID, origin, version, id):
            guard let definition = state.kinds.definition(of: kind) else { throw ReplayError("unknown kind \(kind)") }
            let made: String
            do {
                made = try state.create(definition, body: body, origin: Origin(url: origin, version: version, clientID: clientID))
            } catch {
                throw ReplayError("the create was refused this time: \(error.message)")
            }
            guard made == id else { throw ReplayError("it made \(kind) \(made), not \(id) as before") }
        case let .perform(name, kind, id):
            guard let action = state.kinds.definition(of: kind)?.actions.first(where: { $0.name == name }),
                  state.perform(action, on: kind, id: id) != nil else { throw ReplayError("no \(name) on \(kind) \(id)") }
        case let .issueToken(clientID, token):
            guard let client = credentials.first(where: { $0.clientID == clientID }) else {
                throw ReplayError("no client \(clientID) in the scenario")
            }
            guard state.issueToken(to: client).value == token else { throw ReplayError("it issued another token") }
        case let .revokeToken(value):
            guard state.tokens.revoke(value) else { throw ReplayError("the revoked token is unknown") }
        case let .fire(event):
            _ = state.fire(event, at: recorded.at)
        case .jump:
            break
        case .clock:
            unfinishedAdvance = nil
        case let .takeNext(target):
            while let work = state.takeNext(dueBy: target) {
                if case .send(let job) = work {
                    inFlight.append(job)
                    unfinishedAdvance = job.due
                    return
                }
            }
            throw ReplayError("no attempt was due by \(target.iso8601())")
        case let .advanced(target, steps):
            for _ in 0..<steps {
                guard case .happened = state.takeNext(dueBy: target) else {
                    throw ReplayError("an advance had applied \(steps) steps due by \(target.iso8601()); they are not there")
                }
            }
        case .takeDue:
            inFlight += state.takeDueAttempts()
        case let .redeliver(id):
            guard let job = state.redeliveryJob(id) else { throw ReplayError("no delivery \(id)") }
            inFlight.append(job)
        case let .attemptEnded(id, redelivery, result):
            state.record(try takeInFlight(id, redelivery), result)
        case let .attemptLost(id, redelivery):
            state.lose(try takeInFlight(id, redelivery))
        }
    }

    private mutating func takeInFlight(_ id: Int, _ redelivery: Bool) throws(ReplayError) -> DeliveryJob {
        guard let index = inFlight.firstIndex(where: { $0.deliveryID == id && $0.isRedelivery == redelivery }) else {
            throw ReplayError("no attempt of delivery \(id) was in flight")
        }
        return inFlight.remove(at: index)
    }
}

/// A recorded command that did not replay as it first ran.
public struct ReplayError: Error, CustomStringConvertible {
    /// Which command (1-based, in `commands.seq` order) and its name; 0 and "" inside `Replay`.
    public var index = 0
    public var command = ""
    public var message: String

    init(_ message: String) { self.message = message }
    init(index: Int, command: String, message: String) {
        self.index = index
        self.command = command
        self.message = message
    }

    public var description: String { "command \(index) (\(command)) does not replay: \(message)" }
}
