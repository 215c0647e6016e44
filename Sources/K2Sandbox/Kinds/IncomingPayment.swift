import OrderedJSON

/// `incoming_payment`: an M-PESA STK push, `POST /api/v{1,2}/incoming_payments` (k2-api.md §5.2).
public struct IncomingPayment: ResourceDefinition {
    public static let kind = ResourceKind("incoming_payment")
    public static let collection = "incoming_payments"
    public static let versions = [1, 2]
    public static let stages: [Stage] = [.pending, .success, .failed]
    public static let finalStages: Set<Stage> = [.success, .failed]
    public static let ruleKeys: Set<RuleKey> = [.amount, .phoneNumber, .tillNumber, .metadata]
    public static let summary =
        "an M-PESA STK push; `Success` carries the full `event.resource`"
    /// Its create request's JSON Schema (the OpenAPI document's), as its reader below reads it.
    public static let requestSchema: JSON = Schema.object([
        "payment_channel": Schema.string, "till_number": Schema.string, "subscriber": Schema.subscriber,
        "amount": Schema.amount, "metadata": Schema.metadata, "_links": Schema.linksIn,
    ], required: ["till_number", "subscriber", "amount", "_links"])
    /// A create request it accepts (with the default scenario's pay recipient).
    public static let requestExample: JSON = [
        "payment_channel": "M-PESA STK Push", "till_number": "K000000", "subscriber": ["phone_number": "+254799999999"],
        "amount": ["currency": "KES", "value": 100], "_links": Schema.exampleLinks,
    ]

    let tillNumber: String
    let phoneNumber: String
    let firstName: String?
    let middleName: String?
    let lastName: String?
    let amount: Money
    let metadata: JSONObject
    public let callbackURL: String?
    /// Drawn at creation: the M-PESA transaction's id and reference.
    let transactionID: String
    let reference: String

    public init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
        let reader = BodyReader(body)
        amount = try reader.amountObject("amount")
        tillNumber = try reader.string("till_number")
        guard let subscriber = try reader.object("subscriber") else { throw RequestError("subscriber is required") }
        let person = BodyReader(subscriber, prefix: "subscriber.")
        guard let phone = try person.optionalString("phone_number"), let normalized = normalizedKenyanPhone(phone) else {
            throw RequestError("Subscriber phone number is an invalid number")
        }
        phoneNumber = normalized
        firstName = try person.optionalString("first_name")
        middleName = try person.optionalString("middle_name")
        lastName = try person.optionalString("last_name")
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
        transactionID = context.uuid()
        reference = context.reference()
    }

    public var facts: MatchFacts {
        MatchFacts(amountsCents: [amount.cents], phoneNumbers: [phoneNumber], tillNumber: tillNumber,
                   metadata: metadata.stringValues)
    }

    public func document(id: String, lifecycle: Lifecycle) -> JSON {
        let stage = lifecycle.stage ?? .pending
        var transaction: Transaction?
        if stage == .success, let received = lifecycle.time(of: .success) {
            transaction = Transaction(
                id: transactionID, reference: reference, origination_time: received.iso8601(fractional: false),
                sender_phone_number: phoneNumber, amount: amount.decimalString, currency: "KES",
                till_number: tillNumber, sender_first_name: firstName,
                sender_middle_name: middleName, sender_last_name: lastName)
        }
        return Self.document(id: id, attributes: Attributes(
            initiation_time: lifecycle.createdAt.iso8601(), status: stage.rawValue,
            event: Event(resource: transaction, errors: lifecycle.failure),
            metadata: .object(metadata), _links: ResourceLinks(callbackURL: callbackURL)))
    }

    /// Its GET and callback body's attributes (k2-api.md §5.2).
    struct Attributes: Encodable, Sendable {
        var initiation_time: String
        var status: String
        var event: Event
        var metadata: JSON
        var _links: ResourceLinks
    }

    struct Event: Encodable, Sendable {
        var type = "Incoming Payment Request"
        /// The received transaction; null until Success.
        var resource: Transaction?
        /// The failure reason; null unless Failed.
        var errors: String?
    }

    /// The M-PESA transaction behind a successful STK push.
    struct Transaction: Encodable, Sendable {
        var id: String
        var reference: String
        var origination_time: String
        var sender_phone_number: String
        var amount: String
        var currency: String
        var till_number: String
        var system = "Lipa Na M-PESA"
        var status = "Received"
        var sender_first_name: String?
        var sender_middle_name: String?
        var sender_last_name: String?
    }
}
