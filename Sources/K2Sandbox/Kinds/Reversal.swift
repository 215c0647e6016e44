import OrderedJSON

/// `reversal`: an incoming transaction sent back, `POST /api/v2/reversals` (k2-api.md §5.10).
/// It ends at `Processed`.
public struct Reversal: ResourceDefinition {
    public static let kind = ResourceKind("reversal")
    public static let collection = "reversals"
    public static let versions = [2]
    public static let stages: [Stage] = [.pending, .processed, .failed]
    public static let finalStages: Set<Stage> = [.processed, .failed]
    public static let ruleKeys: Set<RuleKey> = [.metadata]
    public static let summary =
        "shows `Received` while `Pending`; `Processed` adds `reversal_bulk_payment`, its `amount` that of the reversed transaction when the sandbox received it (else null)"
    /// Its create request's JSON Schema (the OpenAPI document's), as its reader below reads it.
    public static let requestSchema: JSON = Schema.object([
        "transaction_reference": Schema.string, "reason": Schema.string, "metadata": Schema.metadata,
        "_links": Schema.linksIn,
    ], required: ["transaction_reference", "_links"])
    /// A create request it accepts (with the default scenario's pay recipient).
    public static let requestExample: JSON = ["transaction_reference": "QWE1234567", "reason": "refund", "_links": Schema.exampleLinks]

    let transactionReference: String
    let reason: String?
    let metadata: JSONObject
    public let callbackURL: String?
    /// Drawn at creation: the reversal's own reference.
    let reference: String
    /// The reversed transaction's amount, when it is one the sandbox received; else null.
    let amount: JSON

    public init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
        let reader = BodyReader(body)
        transactionReference = try reader.string("transaction_reference")
        reason = try reader.optionalString("reason")
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
        reference = context.reference()
        amount = context.receivedTransaction(reference: transactionReference)?["amount"] ?? .null
    }

    public var facts: MatchFacts { MatchFacts(metadata: metadata.stringValues) }

    public func document(id: String, lifecycle: Lifecycle) -> JSON {
        let stage = lifecycle.stage ?? .pending
        var bulk: JSON = .null
        if stage == .processed, let processed = lifecycle.time(of: .processed) {
            bulk = ["amount": amount, "status": "Transferred", "origination_time": .string(processed.iso8601()),
                    "transaction_reference": .string(reference)]
        }
        return Self.document(id: id, attributes: [
            "status": .string(stage == .pending ? "Received" : stage.rawValue), "created_at": .string(lifecycle.createdAt.iso8601()),
            "transaction_reference": .string(transactionReference), "reason": reason.map(JSON.string) ?? .null,
            "reversal_bulk_payment": bulk, "errors": lifecycle.failure.map(JSON.string) ?? .null,
            "metadata": .object(metadata),
            "_links": ["callback_url": callbackURL.map(JSON.string) ?? .null, "self": ""],
        ] as JSON)
    }
}
