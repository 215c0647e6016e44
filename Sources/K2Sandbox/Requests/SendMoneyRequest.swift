import OrderedJSON

/// One destination of `POST /api/v2/send_money`.
struct SendMoneyDestination: Sendable {
    static let types = ["mobile_wallet", "bank_account", "till", "paybill", "merchant_wallet", "merchant_bank_account"]

    let type: String
    let amount: Money
    /// The destination as sent, echoed in `destinations`.
    let echo: JSONObject
    let phoneNumber: String?

    init(_ object: JSONObject, index: Int) throws(RequestError) {
        let reader = BodyReader(object, prefix: "destinations[\(index)].")
        type = try reader.string("type")
        guard Self.types.contains(type) else {
            throw RequestError("\(reader.name("type")) '\(type)' is not one of \(Self.types.joined(separator: ", "))")
        }
        amount = try reader.money("amount")
        let required: [String] = switch type {
        case "mobile_wallet": ["phone_number"]
        case "bank_account": ["account_number", "bank_branch_ref"]
        case "till": ["till_number"]
        case "paybill": ["paybill_number", "paybill_account_number"]
        default: ["reference"]
        }
        for field in required { _ = try reader.string(field) }
        phoneNumber = try reader.optionalString("phone_number")
        if let phoneNumber, normalizedKenyanPhone(phoneNumber) == nil {
            throw RequestError("\(reader.name("phone_number")) '\(phoneNumber)' is not a valid phone number")
        }
        var echo = object
        echo["amount"] = amount.valueJSON
        self.echo = echo
    }
}

/// `POST /api/v2/send_money` (k2-api.md §5.5); no destinations is a blind transfer.
public struct SendMoneyRequest: Sendable {
    let sourceIdentifier: String?
    let destinations: [SendMoneyDestination]
    let metadata: JSONObject
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        try requireKES(reader.optionalString("currency"), field: "currency")
        sourceIdentifier = try reader.optionalString("source_identifier")
        var destinations: [SendMoneyDestination] = []
        switch body["destinations"] {
        case nil, .null?: break
        case .array(let items)?:
            for (index, item) in items.enumerated() {
                guard case .object(let object) = item else {
                    throw RequestError("destinations[\(index)] must be an object, not \(item.kindName)")
                }
                destinations.append(try SendMoneyDestination(object, index: index))
            }
        case let other?:
            throw RequestError("destinations must be a list, not \(other.kindName)")
        }
        self.destinations = destinations
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
    }
}
