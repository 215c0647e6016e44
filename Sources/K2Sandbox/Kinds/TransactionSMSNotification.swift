import OrderedJSON

/// `transaction_sms_notification`: an SMS to the customer of a received transaction,
/// `POST /api/v1/transaction_sms_notifications` (k2-api.md §5.9).
public struct TransactionSMSNotification: ResourceDefinition {
    public static let kind = ResourceKind("transaction_sms_notification")
    public static let collection = "transaction_sms_notifications"
    public static let versions = [1]
    public static let stages: [Stage] = [.pending, .success, .failed]
    public static let finalStages: Set<Stage> = [.success, .failed]
    public static let summary =
        "`{webhook_event_reference, message}`"
    /// Its create request's JSON Schema (the OpenAPI document's), as its reader below reads it.
    public static let requestSchema: JSON = Schema.object([
        "webhook_event_reference": Schema.string, "message": Schema.string, "_links": Schema.linksIn,
    ], required: ["webhook_event_reference", "message", "_links"])
    /// A create request it accepts (with the default scenario's pay recipient).
    public static let requestExample: JSON = ["webhook_event_reference": "x", "message": "Thanks", "_links": Schema.exampleLinks]

    let webhookEventReference: String
    let message: String
    public let callbackURL: String?

    public init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
        let reader = BodyReader(body)
        webhookEventReference = try reader.string("webhook_event_reference")
        message = try reader.string("message")
        callbackURL = try reader.callbackURL()
    }

    public func document(id: String, lifecycle: Lifecycle) -> JSON {
        Self.document(id: id, attributes: [
            "status": .string((lifecycle.stage ?? .pending).rawValue), "message": .string(message),
            "webhook_event_reference": .string(webhookEventReference),
            "errors": lifecycle.failure.map(JSON.string) ?? .null, "metadata": [:],
            "_links": ["callback_url": callbackURL.map(JSON.string) ?? .null, "self": ""],
        ] as JSON)
    }
}
