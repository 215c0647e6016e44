import Crypto
import OrderedJSON

/// A webhook event topic k2mock can fire (k2-api.md §6, §11), read from its fixture
/// (`fixtures/webhooks/<topic>.json`, built into the binary): the `event.type` K2 gives it, which
/// subscriptions receive it, its `_links.resource` collection and a default resource that every
/// SDK's reader accepts, in K2's key order.
///
/// In the default resource, `{{id}}`, `{{reference}}` and `{{time}}` stand for the event's
/// resource id, a fresh M-PESA reference and the time it fires; `{{sha256:FIELD}}` for the
/// lowercase hex SHA-256 of the final resource's FIELD (after the scenario's overrides).
public struct WebhookTopic: Sendable, Hashable, CustomStringConvertible {
    /// The topic's name (`buygoods_transaction_received`).
    public let rawValue: String
    /// `event.type` (`Buygoods Transaction`).
    public let eventType: String
    /// Whether `till`-scoped subscriptions get it (only for their till number).
    public let isTillScoped: Bool
    /// The path segment of `_links.resource`.
    public let resourceCollection: String
    /// Whether polling lists it as a received buygoods transaction.
    public let isReceivedTransaction: Bool
    /// Safaricom's `TransactionType`, for topics that have a Daraja form; nil otherwise.
    public let darajaTransactionType: String?
    /// The resource field sent as Daraja's `MSISDN`.
    let darajaSenderField: String?
    /// The default resource, placeholders unresolved.
    let resource: JSONObject

    public var description: String { rawValue }

    public static func == (a: WebhookTopic, b: WebhookTopic) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    /// The topic of that name, if k2mock fires it.
    public init?(rawValue: String) {
        guard let topic = Self.all.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = topic
    }

    /// Every topic k2mock fires, by name.
    public static let all: [WebhookTopic] = DefaultScenario.files
        .filter { $0.key.hasPrefix("fixtures/webhooks/") }
        .sorted { $0.key < $1.key }
        .map { path, text in
            do {
                return try WebhookTopic(fixture: Array(text.utf8))
            } catch {
                fatalError("the built-in webhook fixture \(path) is invalid: \(error)")
            }
        }

    /// Topics a subscription may name: those k2mock fires and those K2 knows but k2mock never
    /// fires (k2-api.md §6).
    static let subscribable: [String] = (all.map(\.rawValue) + [
        "b2b_transaction_reversed", "card_transaction_received", "card_transaction_voided", "card_transaction_reversed",
    ]).sorted()

    /// Reads a topic fixture `{topic, event_type, till_scoped, resource_collection,
    /// received_transaction?, daraja?: {transaction_type, msisdn}, resource}`.
    init(fixture bytes: [UInt8]) throws {
        let json = try JSON.parse(bytes)
        guard let name = json["topic"]?.stringValue, let eventType = json["event_type"]?.stringValue,
              let collection = json["resource_collection"]?.stringValue, let resource = json["resource"]?.objectValue else {
            throw FixtureError(message: "needs topic, event_type, resource_collection and resource")
        }
        rawValue = name
        self.eventType = eventType
        isTillScoped = json["till_scoped"]?.boolValue ?? false
        resourceCollection = collection
        isReceivedTransaction = json["received_transaction"]?.boolValue ?? false
        darajaTransactionType = json["daraja"]?["transaction_type"]?.stringValue
        darajaSenderField = json["daraja"]?["msisdn"]?.stringValue
        self.resource = resource
    }

    struct FixtureError: Error {
        let message: String
    }

    /// The event's resource: the default with its placeholders resolved, then `overrides`
    /// replacing or adding keys.
    func resource(id: String, reference: String, at time: Timestamp, overrides: JSONObject) -> JSONObject {
        let values = ["{{id}}": id, "{{reference}}": reference, "{{time}}": time.iso8601(fractional: false)]
        var resolved = Self.substitute(.object(resource), values).objectValue ?? JSONObject()
        for member in overrides { resolved[member.key] = member.value }
        for member in resolved {
            guard let text = member.value.stringValue, text.hasPrefix("{{sha256:"), text.hasSuffix("}}") else { continue }
            let field = String(text.dropFirst("{{sha256:".count).dropLast(2))
            resolved[member.key] = .string(resolved[field]?.stringValue.map { lowercaseHex(SHA256.hash(data: Array($0.utf8))) } ?? "")
        }
        return resolved
    }

    private static func substitute(_ json: JSON, _ values: [String: String]) -> JSON {
        switch json {
        case .string(let text): values[text].map(JSON.string) ?? json
        case .object(let object): .object(JSONObject(object.map { ($0.key, substitute($0.value, values)) }))
        case .array(let items): .array(items.map { substitute($0, values) })
        default: json
        }
    }

    /// The event in Safaricom's C2B confirmation format, for subscriptions made with
    /// `enable_daraja_payload` (k2-api.md §6); nil for topics without one. Both spellings of the
    /// third-party id key are sent: the Node and Ruby SDKs disagree on it.
    func darajaPayload(_ resource: JSONObject, at time: Timestamp) -> JSON? {
        guard let darajaTransactionType else { return nil }
        let digits = time.iso8601(fractional: false).filter { $0.isNumber }.prefix(14)
        return [
            "TransactionType": .string(darajaTransactionType),
            "TransID": resource["reference"] ?? .null, "TransTime": .string(String(digits)),
            "TransAmount": resource["amount"] ?? .null, "BusinessShortCode": resource["till_number"] ?? .null,
            "BillRefNumber": "", "InvoiceNumber": "", "OrgAccountBalance": "", "ThirdPartyTransID": "",
            "ThirdPartyTransId": "", "MSISDN": darajaSenderField.flatMap { resource[$0] } ?? .null,
            "FirstName": resource["sender_first_name"] ?? .null,
            "MiddleName": resource["sender_middle_name"] ?? .null, "LastName": resource["sender_last_name"] ?? .null,
        ]
    }
}

/// How a delivery misbehaves on purpose, so an integrator's handler meets what it must survive:
/// late, repeated or badly signed deliveries. Order can be swapped by delaying an earlier one.
public struct DeliveryQuirks: Sendable, Equatable, Codable {
    /// Sandbox time added before the first attempt.
    public var delay: TimeSpan = .zero
    /// Extra copies delivered besides the first (each its own journal entry).
    public var duplicates: Int = 0
    /// Sign with a wrong key, so a correct verifier must refuse it.
    public var badSignature = false

    /// No misbehaviour by default.
    public init(delay: TimeSpan = .zero, duplicates: Int = 0, badSignature: Bool = false) {
        self.delay = delay
        self.duplicates = duplicates
        self.badSignature = badSignature
    }
}

/// A webhook event to fire: from the scenario's `events` (at an offset from the start) or
/// from `POST /__admin/events` (now).
public struct ScriptedEvent: Sendable, Equatable, Codable {
    /// Sandbox time after the scenario's start (scenario events only).
    public var at: TimeSpan
    public var topic: WebhookTopic
    /// Keys that replace or add to the topic's default resource.
    public var resource: JSONObject
    public var quirks: DeliveryQuirks

    /// An event of `topic`, `at` after the scenario's start, with `resource` overriding the default's fields.
    public init(at: TimeSpan = .zero, topic: WebhookTopic, resource: JSONObject = JSONObject(), quirks: DeliveryQuirks = DeliveryQuirks()) {
        self.at = at
        self.topic = topic
        self.resource = resource
        self.quirks = quirks
    }
}
