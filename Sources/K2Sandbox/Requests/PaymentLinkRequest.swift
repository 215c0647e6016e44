import OrderedJSON

/// `POST /api/v2/payment_links` (k2-api.md §5.11).
public struct PaymentLinkRequest: Sendable {
    let tillNumber: String
    let amount: Money
    let paymentReference: String?
    let note: String?
    let metadata: JSONObject
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        try requireKES(reader.optionalString("currency"), field: "currency")
        tillNumber = try reader.string("till_number")
        amount = try reader.money("amount")
        paymentReference = try reader.optionalString("payment_reference")
        note = try reader.optionalString("note")
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
    }
}
