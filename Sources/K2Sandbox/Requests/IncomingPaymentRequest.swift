import OrderedJSON

/// `POST /api/v{1,2}/incoming_payments`, an M-PESA STK push (k2-api.md §5.2).
public struct IncomingPaymentRequest: Sendable {
    let tillNumber: String
    let phoneNumber: String
    let firstName: String?
    let middleName: String?
    let lastName: String?
    let amount: Money
    let metadata: JSONObject
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        amount = try reader.amountObject("amount")
        tillNumber = try reader.string("till_number")
        guard let subscriber = try reader.object("subscriber") else { throw RequestError("subscriber is required") }
        let person = BodyReader(subscriber, prefix: "subscriber.")
        guard let phone = try person.optionalString("phone_number"), let normalized = normalizedKenyanPhone(phone) else {
            throw RequestError("Subscriber phone number is an invalid number")
        }
        phoneNumber = normalized
        firstName = try person.optionalString("first_name")
        middleName = try person.optionalString("middle_name")
        lastName = try person.optionalString("last_name")
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
    }
}
