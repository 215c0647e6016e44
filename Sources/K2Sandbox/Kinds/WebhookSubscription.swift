import OrderedJSON

/// `webhook_subscription`: where webhook events of a topic go,
/// `POST /api/v{1,2}/webhook_subscriptions` (k2-api.md §5.1).
public struct WebhookSubscription: ResourceDefinition {
    public static let kind = ResourceKind("webhook_subscription")
    public static let collection = "webhook_subscriptions"
    public static let versions = [1, 2]
    public static let summary =
        "`{event_type, url, scope: till\\|company, scope_reference}`; `Active` at once; events go to its `url`"
    /// Its create request's JSON Schema (the OpenAPI document's), as its reader below reads it.
    public static let requestSchema: JSON = Schema.object([
        "event_type": Schema.string, "url": Schema.url, "scope": Schema.scope, "scope_reference": Schema.string,
        "enable_daraja_payload": Schema.boolean,
    ], required: ["event_type", "url", "scope"])
    /// A create request it accepts (with the default scenario's pay recipient).
    public static let requestExample: JSON = ["event_type": "buygoods_transaction_received", "url": "http://127.0.0.1:9/hooks", "scope": "company"]

    let eventType: String
    let url: String
    /// `till` or `company`, lowercased (PHP sends `Company`).
    let scope: String
    let scopeReference: String?
    /// Events in Safaricom's C2B (Daraja) format instead of K2's envelope.
    let darajaPayload: Bool

    public init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
        let reader = BodyReader(body)
        eventType = try reader.string("event_type")
        guard WebhookTopic.subscribable.contains(eventType) else {
            throw RequestError("event_type '\(eventType)' is not one of \(WebhookTopic.subscribable.joined(separator: ", "))")
        }
        url = try reader.string("url")
        guard isHTTPURL(url) else {
            throw RequestError("url must be an http or https URL")
        }
        scope = try reader.string("scope").lowercased()
        guard scope == "till" || scope == "company" else { throw RequestError("scope must be till or company") }
        scopeReference = try reader.optionalString("scope_reference")
        if scope == "till", (scopeReference ?? "").isEmpty {
            throw RequestError("scope_reference (the till number) is required for scope till")
        }
        darajaPayload = body["enable_daraja_payload"]?.boolValue == true
        if darajaPayload, WebhookTopic(rawValue: eventType)?.darajaTransactionType == nil {
            let topics = WebhookTopic.all.filter { $0.darajaTransactionType != nil }.map(\.rawValue)
            throw RequestError("enable_daraja_payload is only for \(topics.joined(separator: " and "))")
        }
    }

    /// Whether an event of `topic` for till `till` goes to this subscription: `company` scope
    /// takes every event of its topic, `till` scope only till-scoped topics' events of its till.
    func receives(_ topic: WebhookTopic, till: String?) -> Bool {
        eventType == topic.rawValue && (scope == "company" || !topic.isTillScoped || scopeReference == till)
    }

    public func document(id: String, lifecycle: Lifecycle) -> JSON {
        Self.document(id: id, attributes: [
            "event_type": .string(eventType), "webhook_uri": .string(url), "status": "Active",
            "scope": .string(scope), "scope_reference": scopeReference.map(JSON.string) ?? .null,
        ] as JSON)
    }
}
