import OrderedJSON

/// One input that changes a sandbox. Every change goes through `Sandbox.submit`, which applies
/// it with `SandboxState.apply` (the only place that looks inside a command) and journals it;
/// a restart replays the journal through the same function. Replaying a sandbox's commands in
/// order, each at its sandbox time, on the same scenario and seed, gives back the same state
/// byte for byte (ids, tokens, bodies, signatures): everything else a sandbox does follows from
/// its inputs and its clock. What a receiver answered is an input too (`attemptEnded`); stage
/// changes and scheduled events are not, they follow from time.
///
/// Commands encode themselves (synthesised `Codable`): a new input is a case here and a branch
/// in `SandboxState.apply`. A data directory keeps each as its case name and its arguments
/// (`{"create":{"kind":…}}` is the row `create`, `{"kind":…}`).
public enum SandboxCommand: Sendable, Equatable, Codable {
    // Inputs: each applies what fell due by its time first.

    /// A create request (`POST /api/vN/<collection>`) by `clientID`, made on `origin` under API
    /// `version` (its `self` link). Result: `created(id)`; refused as K2's 400 says.
    case create(kind: ResourceKind, body: JSONObject, clientID: String, origin: String, version: Int)
    /// An action on a created resource (`POST .../:id/cancel`). Result: `performed`; refused
    /// when there is no such resource or action.
    case perform(action: String, kind: ResourceKind, id: String)
    /// `POST /oauth/token`: a token for the client (drawn from the seed). Result: `issued`.
    case issueToken(clientID: String)
    /// `POST /oauth/revoke` of a token; refused when it is unknown.
    case revokeToken(token: String)
    /// `POST /__admin/events`: a webhook event fired now. Result: `fired`.
    case fire(event: ScriptedEvent)
    /// A redelivery by hand of delivery `deliveryID`, to send now. Result: `taken([job])`.
    case redeliver(deliveryID: Int)
    /// An attempt in flight ended with `result` (an interrupted one is put back, still due);
    /// refused when no such attempt is in flight (one from before a reset).
    case attemptEnded(deliveryID: Int, redelivery: Bool, result: DeliveryResult)
    /// An attempt was in flight when k2mock stopped without hearing its answer (a crash): it is
    /// journalled as interrupted and, if scheduled, made again.
    case attemptLost(deliveryID: Int, redelivery: Bool)

    // Time: each takes what is due in due order itself.

    /// A real clock jumps ahead (`clock/advance` on a real clock).
    case jump(by: TimeSpan)
    /// A manual clock moves to `to` (the end of an advance: its steps were applied on the way,
    /// each at its due time).
    case moveClock(to: Timestamp)
    /// The next delivery attempt due by now is taken to send, after the stage changes and
    /// events due before it (an advance has applied them already; a replay applies them here).
    /// Result: `taken([job])`; refused when none is due.
    case takeAttempt
    /// Every delivery attempt due now is taken to send (a real clock's tick). Result:
    /// `taken(jobs)`; refused when none is due.
    case takeDue
}

/// What applying a command gave.
public enum CommandResult: Sendable {
    case done
    case created(id: String)
    case performed(ActionOutcome)
    case issued(AccessToken)
    case fired(FiredEvent)
    /// Delivery attempts to send; report each with `attemptEnded`.
    case taken([DeliveryJob])

    /// What the command made that a replay must make again, kept with it: a created id or an
    /// issued token.
    var made: String? {
        switch self {
        case .created(let id): id
        case .issued(let token): token.value
        default: nil
        }
    }

    /// The attempts taken; empty for other results.
    var jobs: [DeliveryJob] {
        if case .taken(let jobs) = self { return jobs }
        return []
    }
}

/// Why a command changed nothing: K2's words for a refused create, or what was not there. A
/// refused command is not journalled.
public struct CommandRefusal: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// A command with the sandbox time it was applied at, as kept on disk, and what it made.
public struct RecordedCommand: Sendable, Equatable {
    public var at: Timestamp
    public var command: SandboxCommand
    /// The id or token it made (`CommandResult.made`), checked on replay.
    public var made: String?

    public init(at: Timestamp, command: SandboxCommand, made: String? = nil) {
        self.at = at
        self.command = command
        self.made = made
    }
}

extension RecordedCommand {
    /// The command's case name and arguments as a data directory keeps them
    /// (`create`, `{"kind":"payment",…}`).
    public func encoded() -> (name: String, arguments: JSON) {
        // A synthesised enum encodes as one member named after its case.
        guard let json = try? OrderedJSONEncoder().encode(command), let only = json.objectValue?.members.first else {
            preconditionFailure("a SandboxCommand always encodes as one member")
        }
        return (only.key, only.value)
    }

    /// Reads a command back from its name and arguments; nil if they do not make one (a data
    /// directory written by a different k2mock, or edited by hand).
    public init?(at: Timestamp, name: String, arguments: JSON, made: String?) {
        guard let command = try? OrderedJSONDecoder().decode(SandboxCommand.self, from: .object(JSONObject([(name, arguments)])))
        else { return nil }
        self.init(at: at, command: command, made: made)
    }
}

// The values commands carry, as they are written: times and spans as integer milliseconds,
// kinds and topics by name.

/// A value written as its whole number of milliseconds.
public protocol Milliseconds: Codable {
    var milliseconds: Int64 { get }
    init(milliseconds: Int64)
}

extension Milliseconds {
    public init(from decoder: any Decoder) throws {
        self.init(milliseconds: try decoder.singleValueContainer().decode(Int64.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(milliseconds)
    }
}

extension Timestamp: Milliseconds {}
extension TimeSpan: Milliseconds {}

extension ResourceKind: Codable {}

extension WebhookTopic: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let topic = WebhookTopic(rawValue: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "no webhook topic \(name)")
        }
        self = topic
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
