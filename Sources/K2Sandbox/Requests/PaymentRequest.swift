import OrderedJSON

/// `POST /api/v1/payments` (k2-api.md §5.4).
public struct PaymentRequest: Sendable {
    let destinationType: String
    let destinationReference: String
    let amount: Money
    let metadata: JSONObject
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        amount = try reader.amountObject("amount")
        destinationType = try reader.string("destination_type")
        guard RecipientType(rawValue: destinationType) != nil else {
            throw RequestError("destination_type '\(destinationType)' is not one of \(RecipientType.names)")
        }
        destinationReference = try reader.string("destination_reference")
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
    }
}
