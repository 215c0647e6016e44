import OrderedJSON

/// `payment`: a v1 payment to a pay recipient, `POST /api/v1/payments` (k2-api.md §5.4).
public struct Payment: ResourceDefinition {
    public static let kind = ResourceKind("payment")
    public static let collection = "payments"
    public static let versions = [1]
    public static let stages: [Stage] = [.pending, .processed, .transferred, .failed]
    public static let finalStages: Set<Stage> = [.transferred, .failed]
    public static let ruleKeys: Set<RuleKey> = [.amount, .phoneNumber, .destinationType, .metadata]
    public static let summary =
        "a v1 payment to a pay recipient: `destination_reference` is its id (or, for one created through the API, its `recipient_reference`, and then the type must match); the body follows the transfer stages below"
    /// Its create request's JSON Schema (the OpenAPI document's), as its reader below reads it.
    public static let requestSchema: JSON = Schema.object([
        "destination_type": Schema.string, "destination_reference": Schema.string, "amount": Schema.amount,
        "description": Schema.string, "category": Schema.string, "tags": ["type": "array"], "metadata": Schema.metadata,
        "_links": Schema.linksIn,
    ], required: ["destination_type", "destination_reference", "amount", "_links"])
    /// A create request it accepts (with the default scenario's pay recipient).
    public static let requestExample: JSON = [
        "destination_type": "mobile_wallet", "destination_reference": "c7f300c0-f1ef-4151-9bbe-005005aa3747",
        "amount": ["currency": "KES", "value": 20000], "metadata": ["notes": "May"], "_links": Schema.exampleLinks,
    ]

    let destinationType: String
    let destinationReference: String
    let amount: Money
    let metadata: JSONObject
    public let callbackURL: String?
    /// Drawn at creation: "Mobile Wallet" and so on, for the recipient paid.
    let destinationLabel: String
    /// The created recipient's phone, for rules; nil for a fixture recipient.
    let recipientPhone: String?
    let transactionReference: String

    public init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
        let reader = BodyReader(body)
        amount = try reader.amountObject("amount")
        destinationType = try reader.string("destination_type")
        guard let type = RecipientType(rawValue: destinationType) else {
            throw RequestError("destination_type '\(destinationType)' is not one of \(RecipientType.names)")
        }
        destinationReference = context.shared(try reader.string("destination_reference"))
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL().map { context.shared($0) }
        guard context.exists(PayRecipient.kind, destinationReference) else {
            throw RequestError("destination_reference '\(destinationReference)' is not a known pay recipient")
        }
        let recipient = context.record(PayRecipient.self, destinationReference)
        if let recipient, recipient.details.type != type {
            throw RequestError("destination_type '\(destinationType)' does not match the recipient's type '\(recipient.details.type.rawValue)'")
        }
        destinationLabel = type.label
        recipientPhone = recipient?.details.phoneNumber
        transactionReference = context.reference()
    }

    public var facts: MatchFacts {
        MatchFacts(amountsCents: [amount.cents], phoneNumbers: recipientPhone.map { [$0] } ?? [],
                   destinationTypes: [destinationType], metadata: metadata.stringValues)
    }

    public func document(id: String, lifecycle: Lifecycle) -> JSON {
        Self.document(id: id, attributes: TransferAttributes(
            lifecycle: lifecycle, amount: amount, destinationLabel: destinationLabel,
            destinationReference: destinationReference, transactionReference: transactionReference,
            metadata: metadata, callbackURL: callbackURL))
    }
}
