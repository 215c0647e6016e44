import OrderedJSON

/// One input that changed a sandbox, as a data directory keeps it: replaying a sandbox's
/// commands in order, each at its sandbox time, on the same scenario and seed, gives back the
/// same state byte for byte (ids, tokens, bodies, signatures), because everything else a
/// sandbox does follows from its inputs and its clock. What a receiver answered is an input
/// too (`attemptEnded`); stage changes and scheduled events are not, they follow from time.
public enum SandboxCommand: Sendable, Equatable {
    /// `POST` of a create request, answered `201` with `id`.
    case create(kind: ResourceKind, body: JSONObject, clientID: String, origin: String, version: Int, id: String)
    /// An action on a created resource (`POST .../cancel`).
    case perform(action: String, kind: ResourceKind, id: String)
    /// `POST /oauth/token` issued `token` to the client (the seed makes it again on replay).
    case issueToken(clientID: String, token: String)
    /// `POST /oauth/revoke` of a known token.
    case revokeToken(String)
    /// `POST /__admin/events`.
    case fire(ScriptedEvent)
    /// A real clock jumped ahead by an advance.
    case jump(TimeSpan)
    /// An advance took the next attempt due by `target` (everything before it was applied).
    case takeNext(dueBy: Timestamp)
    /// An advance under way had applied `steps` more stage changes or scheduled events due by
    /// `dueBy` when another input came (a create during an advance): they go before it on
    /// replay too, since they draw from the same id streams.
    case advanced(dueBy: Timestamp, steps: Int)
    /// A real clock's tick took every attempt due at the command's time.
    case takeDue
    /// A redelivery by hand of delivery `deliveryID` was started.
    case redeliver(deliveryID: Int)
    /// An attempt taken earlier ended with `result` (an interrupted one was put back).
    case attemptEnded(deliveryID: Int, redelivery: Bool, result: DeliveryResult)
    /// An attempt was in flight when k2mock stopped without hearing its answer (a crash): it is
    /// journalled as interrupted and, if scheduled, made again.
    case attemptLost(deliveryID: Int, redelivery: Bool)
    /// A manual clock was advanced to this time.
    case clock(Timestamp)

    /// The command's name in the data directory's `commands.name` column.
    public var name: String {
        switch self {
        case .create: "create"
        case .perform: "perform"
        case .issueToken: "issue_token"
        case .revokeToken: "revoke_token"
        case .fire: "fire"
        case .jump: "jump"
        case .takeNext: "take_next"
        case .advanced: "advanced"
        case .takeDue: "take_due"
        case .redeliver: "redeliver"
        case .attemptEnded: "attempt_ended"
        case .attemptLost: "attempt_lost"
        case .clock: "clock"
        }
    }

    /// Its arguments as a JSON object (the `commands.args` column); `init(name:arguments:)` reads it back.
    public var arguments: JSON {
        switch self {
        case let .create(kind, body, clientID, origin, version, id):
            ["kind": .string(kind.rawValue), "id": .string(id), "client_id": .string(clientID), "origin": .string(origin),
             "version": .int(version), "body": .object(body)]
        case let .perform(action, kind, id):
            ["action": .string(action), "kind": .string(kind.rawValue), "id": .string(id)]
        case let .issueToken(clientID, token):
            ["client_id": .string(clientID), "token": .string(token)]
        case let .revokeToken(value):
            ["token": .string(value)]
        case let .fire(event):
            ["topic": .string(event.topic.rawValue), "resource": .object(event.resource),
             "delay_ms": .int(event.quirks.delay.milliseconds), "duplicates": .int(event.quirks.duplicates),
             "bad_signature": .bool(event.quirks.badSignature)]
        case let .jump(span):
            ["ms": .int(span.milliseconds)]
        case let .takeNext(target):
            ["due_by": .int(target.milliseconds)]
        case let .advanced(target, steps):
            ["due_by": .int(target.milliseconds), "steps": .int(Int64(steps))]
        case .takeDue:
            [:]
        case let .redeliver(id):
            ["delivery_id": .int(id)]
        case let .attemptEnded(id, redelivery, result):
            ["delivery_id": .int(id), "redelivery": .bool(redelivery),
             "status": result.status.map { .int($0) } ?? .null, "error": result.error.map { .string($0) } ?? .null,
             "latency_ms": .number(String(result.latencyMilliseconds)), "interrupted": .bool(result.interrupted),
             "waited_ms": .number(String(result.waitedMilliseconds))]
        case let .attemptLost(id, redelivery):
            ["delivery_id": .int(id), "redelivery": .bool(redelivery)]
        case let .clock(time):
            ["ms": .int(time.milliseconds)]
        }
    }

    /// Reads a command back from its name and arguments; nil if they do not make one (a data
    /// directory written by a different k2mock, or edited by hand).
    public init?(name: String, arguments: JSON) {
        let a = arguments
        func int(_ key: String) -> Int64? { a[key]?.numberLexeme.flatMap { Int64($0) } }
        func double(_ key: String) -> Double? { a[key]?.numberLexeme.flatMap { Double($0) } }
        func string(_ key: String) -> String? { a[key]?.stringValue }
        switch name {
        case "create":
            guard let kind = string("kind"), let body = a["body"]?.objectValue, let clientID = string("client_id"),
                  let origin = string("origin"), let version = int("version"), let id = string("id") else { return nil }
            self = .create(kind: ResourceKind(rawValue: kind), body: body, clientID: clientID, origin: origin,
                           version: Int(version), id: id)
        case "perform":
            guard let action = string("action"), let kind = string("kind"), let id = string("id") else { return nil }
            self = .perform(action: action, kind: ResourceKind(rawValue: kind), id: id)
        case "issue_token":
            guard let clientID = string("client_id"), let token = string("token") else { return nil }
            self = .issueToken(clientID: clientID, token: token)
        case "revoke_token":
            guard let value = string("token") else { return nil }
            self = .revokeToken(value)
        case "fire":
            guard let topicName = string("topic"), let topic = WebhookTopic.all.first(where: { $0.rawValue == topicName }),
                  let resource = a["resource"]?.objectValue, let delay = int("delay_ms"), let duplicates = int("duplicates"),
                  let bad = a["bad_signature"]?.boolValue else { return nil }
            self = .fire(ScriptedEvent(topic: topic, resource: resource, quirks: DeliveryQuirks(
                delay: TimeSpan(milliseconds: delay), duplicates: Int(duplicates), badSignature: bad)))
        case "jump":
            guard let ms = int("ms") else { return nil }
            self = .jump(TimeSpan(milliseconds: ms))
        case "take_next":
            guard let ms = int("due_by") else { return nil }
            self = .takeNext(dueBy: Timestamp(milliseconds: ms))
        case "advanced":
            guard let ms = int("due_by"), let steps = int("steps"), steps > 0 else { return nil }
            self = .advanced(dueBy: Timestamp(milliseconds: ms), steps: Int(steps))
        case "take_due":
            self = .takeDue
        case "redeliver":
            guard let id = int("delivery_id") else { return nil }
            self = .redeliver(deliveryID: Int(id))
        case "attempt_ended":
            guard let id = int("delivery_id"), let redelivery = a["redelivery"]?.boolValue, let latency = double("latency_ms"),
                  let interrupted = a["interrupted"]?.boolValue, let waited = double("waited_ms") else { return nil }
            let result = DeliveryResult(status: int("status").map { Int($0) }, error: string("error"),
                                        latencyMilliseconds: latency, interrupted: interrupted, waitedMilliseconds: waited)
            self = .attemptEnded(deliveryID: Int(id), redelivery: redelivery, result: result)
        case "attempt_lost":
            guard let id = int("delivery_id"), let redelivery = a["redelivery"]?.boolValue else { return nil }
            self = .attemptLost(deliveryID: Int(id), redelivery: redelivery)
        case "clock":
            guard let ms = int("ms") else { return nil }
            self = .clock(Timestamp(milliseconds: ms))
        default:
            return nil
        }
    }
}

/// A command with the sandbox time it was applied at, as kept on disk.
public struct RecordedCommand: Sendable, Equatable {
    public var at: Timestamp
    public var command: SandboxCommand

    public init(at: Timestamp, command: SandboxCommand) {
        self.at = at
        self.command = command
    }
}
