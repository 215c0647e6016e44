import OrderedJSON

/// `POST /api/v2/reversals` (k2-api.md §5.10).
public struct ReversalRequest: Sendable {
    let transactionReference: String
    let reason: String?
    let metadata: JSONObject
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        transactionReference = try reader.string("transaction_reference")
        reason = try reader.optionalString("reason")
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
    }
}
