import OrderedJSON

/// `POST /api/v{1,2}/webhook_subscriptions` (k2-api.md §5.1).
public struct WebhookSubscriptionRequest: Sendable {
    let eventType: String
    let url: String
    /// `till` or `company`, lowercased (PHP sends `Company`).
    let scope: String
    let scopeReference: String?
    /// Events in Safaricom's C2B (Daraja) format instead of K2's envelope.
    let darajaPayload: Bool

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        eventType = try reader.string("event_type")
        guard WebhookTopic.subscribable.contains(eventType) else {
            throw RequestError("event_type '\(eventType)' is not one of \(WebhookTopic.subscribable.joined(separator: ", "))")
        }
        url = try reader.string("url")
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw RequestError("url must be an http or https URL")
        }
        scope = try reader.string("scope").lowercased()
        guard scope == "till" || scope == "company" else { throw RequestError("scope must be till or company") }
        scopeReference = try reader.optionalString("scope_reference")
        if scope == "till", (scopeReference ?? "").isEmpty {
            throw RequestError("scope_reference (the till number) is required for scope till")
        }
        darajaPayload = body["enable_daraja_payload"]?.boolValue == true
        if darajaPayload, !["buygoods_transaction_received", "b2b_transaction_received"].contains(eventType) {
            throw RequestError("enable_daraja_payload is only for buygoods_transaction_received and b2b_transaction_received")
        }
    }
}
