import OrderedJSON

/// `POST /api/v1/transaction_sms_notifications` (k2-api.md §5.9).
public struct SMSNotificationRequest: Sendable {
    let webhookEventReference: String
    let message: String
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        webhookEventReference = try reader.string("webhook_event_reference")
        message = try reader.string("message")
        callbackURL = try reader.callbackURL()
    }
}
