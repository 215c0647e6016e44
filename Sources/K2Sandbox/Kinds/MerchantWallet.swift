import OrderedJSON

/// `merchant_wallet`: an M-PESA wallet settlements go to, `POST /api/v{1,2}/merchant_wallets`
/// (k2-api.md §5.6).
public struct MerchantWallet: SettlementDestination {
    public static let kind = ResourceKind("merchant_wallet")
    public static let collection = "merchant_wallets"
    public static let versions = [1, 2]
    public static let settlementLabel = "Mobile Wallet"
    public static let summary =
        "an M-PESA wallet to settle to; `Approved` at once, with `account_reference`"
    /// Its create request's JSON Schema (the OpenAPI document's), as its reader below reads it.
    public static let requestSchema: JSON = Schema.object([
        "first_name": Schema.string, "last_name": Schema.string, "phone_number": Schema.string, "network": Schema.string,
        "nickname": Schema.string,
    ], required: ["first_name", "last_name", "phone_number", "network"])
    /// A create request it accepts (with the default scenario's pay recipient).
    public static let requestExample: JSON = ["first_name": "Jane", "last_name": "Doe", "phone_number": "+254999999999", "network": "Safaricom"]

    let firstName: String?
    let lastName: String?
    let phoneNumber: String
    let network: String
    let nickname: String?
    /// Drawn at creation: another id settlement transfers may name it by.
    let accountReference: String

    public init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
        let reader = BodyReader(body)
        let phone = try reader.string("phone_number")
        guard normalizedKenyanPhone(phone) != nil else {
            throw RequestError("phone_number '\(phone)' is not a valid phone number")
        }
        // Echoed as the caller wrote it, as K2's samples do.
        phoneNumber = phone
        firstName = try reader.optionalString("first_name")
        lastName = try reader.optionalString("last_name")
        network = try reader.optionalString("network") ?? "Safaricom"
        nickname = try reader.optionalString("nickname")
        accountReference = context.uuid()
    }

    public var references: [String] { [accountReference] }

    public func document(id: String, lifecycle: Lifecycle) -> JSON {
        Self.document(id: id, attributes: [
            "status": "Approved", "account_reference": .string(accountReference), "phone_number": .string(phoneNumber),
            "network": .string(network), "first_name": firstName.map(JSON.string) ?? .null,
            "last_name": lastName.map(JSON.string) ?? .null, "nickname": nickname.map(JSON.string) ?? .null,
        ] as JSON)
    }
}
