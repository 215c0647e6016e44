import OrderedJSON

/// `payment_link`: a link a customer pays through, `POST /api/v2/payment_links`, cancelled by
/// `POST /api/v2/payment_links/:id/cancel` (k2-api.md §5.11). Nobody pays a link unless a
/// scenario rule says so; a cancelled link is never paid.
public struct PaymentLink: ResourceDefinition {
    public static let kind = ResourceKind("payment_link")
    public static let collection = "payment_links"
    public static let versions = [2]
    public static let stages: [Stage] = [.pending, .paid]
    public static let finalStages: Set<Stage> = [.paid]
    public static let ruleKeys: Set<RuleKey> = [.amount, .tillNumber, .metadata]
    public static let actions = [ResourceAction(name: "cancel", versions: [2], perform: cancel)]
    public static let summary =
        "shows `Processed` with `payment_link.status` `Active`; `Paid` (only by a rule: nobody pays a link by default) adds `transaction_reference`, `sender_phone_number`, `origination_time`; `cancel` answers `200 {\"message\":\"Payment link cancelled.\"}` (`400` once paid) and shows `Cancelled` (a cancelled link is never paid); `expires_at` is 7 days after creation, though the link never actually expires"
    /// Its create request's JSON Schema (the OpenAPI document's), as its reader below reads it.
    public static let requestSchema: JSON = Schema.object([
        "till_number": Schema.string, "currency": Schema.string, "amount": Schema.amountValue,
        "payment_reference": Schema.string, "note": Schema.string, "metadata": Schema.metadata, "_links": Schema.linksIn,
    ], required: ["till_number", "amount", "_links"])
    /// A create request it accepts (with the default scenario's pay recipient).
    public static let requestExample: JSON = [
        "till_number": "K000000", "currency": "KES", "amount": 500, "payment_reference": "order-1", "note": "Order 1",
        "_links": Schema.exampleLinks,
    ]

    let tillNumber: String
    let amount: Money
    let linkReference: String?
    let note: String?
    let metadata: JSONObject
    public let callbackURL: String?
    /// Drawn at creation.
    let linkID: String
    let transactionReference: String
    /// When it was cancelled, in sandbox time.
    var cancelledAt: Timestamp?

    public init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
        let reader = BodyReader(body)
        try requireKES(reader.optionalString("currency"), field: "currency")
        tillNumber = try reader.string("till_number")
        amount = try reader.money("amount")
        linkReference = try reader.optionalString("payment_reference")
        note = try reader.optionalString("note")
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
        linkID = context.uuid()
        transactionReference = context.reference()
    }

    public var facts: MatchFacts {
        MatchFacts(amountsCents: [amount.cents], tillNumber: tillNumber, metadata: metadata.stringValues)
    }

    public func allows(_ stage: Stage, at time: Timestamp) -> Bool {
        guard let cancelledAt else { return true }
        return time < cancelledAt
    }

    /// Cancelling again is fine; once paid it is too late. Python posts no body, Ruby `null`,
    /// Node `{}`: none is read.
    @Sendable static func cancel(_ record: inout any ResourceDefinition, _ lifecycle: Lifecycle, _ now: Timestamp) -> ActionOutcome {
        guard var link = record as? PaymentLink else { return .refused(status: 404, message: "No such resource") }
        if link.cancelledAt == nil, lifecycle.stage == .paid {
            return .refused(status: 400, message: "Payment link has been paid and can no longer be cancelled")
        }
        link.cancelledAt = link.cancelledAt ?? now
        record = link
        return .answered(status: 200, body: ["message": "Payment link cancelled."])
    }

    public func document(id: String, lifecycle: Lifecycle) -> JSON {
        let paidAt = cancelledAt == nil ? lifecycle.time(of: .paid) : nil
        let linkStatus: JSON = paidAt != nil ? "Paid" : cancelledAt == nil ? "Active" : "Cancelled"
        // The view guide's keys and the paid callback's, together (k2-api.md §5.11).
        var link = JSONObject([("payment_link_status", linkStatus), ("status", linkStatus),
                               ("expires_at", .string((lifecycle.createdAt + .seconds(7 * 86_400)).iso8601())),
                               ("initiator_name", "Demo Merchant"), ("link", .string("/links/" + linkID))])
        if let paidAt {
            link["transaction_reference"] = .string(transactionReference)
            link["sender_phone_number"] = .number("254999999999")
            link["origination_time"] = .string(paidAt.iso8601())
        }
        return Self.document(id: id, attributes: [
            "status": "Processed", "created_at": .string(lifecycle.createdAt.iso8601()), "till_name": "Demo Merchant",
            "till_number": .string(tillNumber), "payment_reference": linkReference.map(JSON.string) ?? .null,
            "currency": "KES", "amount": .string(amount.decimalString), "note": note.map(JSON.string) ?? .null,
            "payment_link": .object(link),
            "errors": nil, "metadata": .object(metadata),
            "_links": ["callback_url": callbackURL.map(JSON.string) ?? .null, "self": ""],
        ] as JSON)
    }
}
