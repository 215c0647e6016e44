import OrderedJSON

/// Recipient types of `pay_recipients` (v1) and `external_recipients` (v2), with the fields
/// each must have and may have, in K2's order.
enum RecipientType: String, CaseIterable {
    case mobileWallet = "mobile_wallet"
    case bankAccount = "bank_account"
    case till
    case paybill

    var label: String {
        switch self {
        case .mobileWallet: "Mobile Wallet"
        case .bankAccount: "Bank Account"
        case .till: "Till"
        case .paybill: "Paybill"
        }
    }

    var requiredFields: [String] {
        switch self {
        case .mobileWallet: ["phone_number"]
        case .bankAccount: ["account_name", "account_number", "bank_branch_ref"]
        case .till: ["till_number"]
        case .paybill: ["paybill_number", "paybill_account_number"]
        }
    }

    var fields: [String] {
        switch self {
        case .mobileWallet: ["first_name", "last_name", "phone_number", "network", "email"]
        case .bankAccount: ["account_name", "account_number", "bank_branch_ref", "settlement_method"]
        case .till: ["till_name", "till_number"]
        case .paybill: ["paybill_name", "paybill_number", "paybill_account_number"]
        }
    }

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// `POST /api/v1/pay_recipients` or `/api/v2/external_recipients`: `{type, pay_recipient|external_recipient: {...}}`.
public struct RecipientRequest: Sendable {
    let kind: ResourceKind
    let type: RecipientType
    /// The type's fields as given, in K2's order, values as strings.
    let fields: [(String, String?)]
    let nickname: String?

    public init(kind: ResourceKind, body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        let typeName = try reader.string("type")
        guard let type = RecipientType(rawValue: typeName) else {
            throw RequestError("type '\(typeName)' is not one of \(RecipientType.names)")
        }
        let key = kind == .payRecipient ? "pay_recipient" : "external_recipient"
        guard let details = try reader.object(key) else { throw RequestError("\(key) is required") }
        let detailReader = BodyReader(details, prefix: key + ".")
        for field in type.requiredFields { _ = try detailReader.string(field) }
        var fields: [(String, String?)] = []
        for field in type.fields { fields.append((field, try detailReader.optionalString(field))) }
        if type == .mobileWallet, let phone = fields.first(where: { $0.0 == "phone_number" })?.1,
           normalizedKenyanPhone(phone) == nil {
            throw RequestError("\(key).phone_number '\(phone)' is not a valid phone number")
        }
        if type == .bankAccount, let method = fields.first(where: { $0.0 == "settlement_method" })?.1,
           !["EFT", "RTS"].contains(method) {
            throw RequestError("\(key).settlement_method must be EFT or RTS")
        }
        self.kind = kind
        self.type = type
        self.fields = fields
        self.nickname = try detailReader.optionalString("nickname")
    }
}
