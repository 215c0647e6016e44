/// The transition function: the one place a command is looked inside. `Sandbox.submit` calls
/// it live, under the sandbox's lock with the clock held at the command's instant; a restart
/// calls it for each journalled command with the clock pinned at its recorded instant. So live
/// and replayed runs cannot disagree.
extension SandboxState {
    /// Applies `command` at the clock's (held) instant. Inputs first apply what fell due by then,
    /// so they meet the state that time has made, in the same order live and on replay. A time
    /// command may move the held instant (`jump`, `moveClock`). Throws `CommandRefusal` when the
    /// command cannot do what it says; then nothing that needs journalling has changed.
    mutating func apply(_ command: SandboxCommand) throws(CommandRefusal) -> CommandResult {
        switch command {
        case .jump, .moveClock, .takeAttempt, .takeDue: break
        default: applyDueChanges()
        }
        switch command {
        case let .create(kind, body, clientID, origin, version):
            guard let definition = kinds.definition(of: kind) else { throw CommandRefusal("Unknown resource kind \(kind)") }
            do {
                return .created(id: try create(definition, body: body, origin: Origin(url: origin, version: version, clientID: clientID)))
            } catch {
                throw CommandRefusal(error.message)
            }
        case let .perform(name, kind, id):
            guard let action = kinds.definition(of: kind)?.actions.first(where: { $0.name == name }),
                  let outcome = perform(action, on: kind, id: id) else { throw CommandRefusal("No \(name) on \(kind) \(id)") }
            return .performed(outcome)
        case let .issueToken(clientID):
            guard let client = clients[clientID] else { throw CommandRefusal("No client \(clientID) in the scenario") }
            return .issued(issueToken(to: client))
        case let .revokeToken(token):
            guard tokens.revoke(token, at: clock.now()) else { throw CommandRefusal("The token is unknown") }
            return .done
        case let .fire(event):
            return .fired(fire(event, at: clock.now()))
        case let .redeliver(id):
            guard let job = redeliveryJob(id) else { throw CommandRefusal("No delivery \(id)") }
            inFlight.append(job)
            return .taken([job])
        case let .attemptEnded(id, redelivery, result):
            record(try takeInFlight(id, redelivery), result)
            return .done
        case let .attemptLost(id, redelivery):
            lose(try takeInFlight(id, redelivery))
            return .done
        case let .jump(span):
            clock.advance(by: span)
            // What was due later is due sooner now: a real clock's sender must look again.
            soonerDue = true
            return .done
        case let .moveClock(time):
            clock.advance(to: time)
            unpublished.append(.clock(now: clock.now()))
            return .done
        case .takeAttempt:
            // Live, an advance has applied what comes before the attempt; on replay those
            // unjournalled steps are applied here, in the same order.
            let now = clock.now()
            while let work = takeNext(dueBy: now) {
                guard case .send(let job) = work else { continue }
                inFlight.append(job)
                return .taken([job])
            }
            throw CommandRefusal("No delivery attempt is due by \(now.iso8601())")
        case .takeDue:
            let jobs = takeDueAttempts()
            guard !jobs.isEmpty else { throw CommandRefusal("No delivery attempt is due") }
            inFlight += jobs
            return .taken(jobs)
        }
    }

    /// Takes the attempt of delivery `id` out of those in flight.
    private mutating func takeInFlight(_ id: Int, _ redelivery: Bool) throws(CommandRefusal) -> DeliveryJob {
        guard let index = inFlight.firstIndex(where: { $0.deliveryID == id && $0.isRedelivery == redelivery }) else {
            throw CommandRefusal("No attempt of delivery \(id) is in flight")
        }
        return inFlight.remove(at: index)
    }
}
