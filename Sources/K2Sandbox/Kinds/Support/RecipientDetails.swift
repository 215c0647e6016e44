import OrderedJSON

/// Recipient types of `pay_recipients` (v1) and `external_recipients` (v2), with the fields
/// each must have and may have, in K2's order (k2-api.md §5.3).
public enum RecipientType: String, CaseIterable, Sendable {
    case mobileWallet = "mobile_wallet"
    case bankAccount = "bank_account"
    case till
    case paybill

    /// How payment bodies name it (`destination_type` of a disbursement).
    public var label: String {
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

    /// The type names, comma-separated, for messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A recipient as both recipient kinds take it: `{type, <detailsKey>: {...}}`, and its
/// approved body. Each kind names its details key and whether it echoes `nickname`.
public struct RecipientDetails: Sendable {
    public let type: RecipientType
    /// The type's fields as given, in K2's order, values as strings.
    public let fields: [(String, String?)]
    public let nickname: String?
    /// Drawn at creation: another id payments may name it by.
    public let recipientReference: String

    /// Reads `{type, <detailsKey>: {...}}`; throws `RequestError` naming the field.
    public init(body: JSONObject, detailsKey: String, context: inout CreationContext) throws(RequestError) {
        let reader = BodyReader(body)
        let typeName = try reader.string("type")
        guard let type = RecipientType(rawValue: typeName) else {
            throw RequestError("type '\(typeName)' is not one of \(RecipientType.names)")
        }
        guard let details = try reader.object(detailsKey) else { throw RequestError("\(detailsKey) is required") }
        let detailReader = BodyReader(details, prefix: detailsKey + ".")
        for field in type.requiredFields { _ = try detailReader.string(field) }
        var fields: [(String, String?)] = []
        for field in type.fields { fields.append((field, try detailReader.optionalString(field))) }
        if type == .mobileWallet, let phone = fields.first(where: { $0.0 == "phone_number" })?.1,
           normalizedKenyanPhone(phone) == nil {
            throw RequestError("\(detailsKey).phone_number '\(phone)' is not a valid phone number")
        }
        if type == .bankAccount, let method = fields.first(where: { $0.0 == "settlement_method" })?.1,
           !["EFT", "RTS"].contains(method) {
            throw RequestError("\(detailsKey).settlement_method must be EFT or RTS")
        }
        self.type = type
        self.fields = fields
        self.nickname = try detailReader.optionalString("nickname")
        self.recipientReference = context.uuid()
    }

    /// The phone number given, if any.
    public var phoneNumber: String? { fields.first { $0.0 == "phone_number" }?.1 }

    /// `{recipient_type, status: Approved, <fields>, [nickname], recipient_reference}`.
    public func attributes(withNickname: Bool) -> JSON {
        var object = JSONObject([("recipient_type", .string(type.label)), ("status", "Approved")])
        for (field, value) in fields { object[field] = value.map(JSON.string) ?? .null }
        if withNickname { object["nickname"] = nickname.map(JSON.string) ?? .null }
        object["recipient_reference"] = .string(recipientReference)
        return .object(object)
    }
}

/// A recipient kind: its request is `{type, <detailsKey>: {...}}` and its body the approved
/// recipient; the two kinds differ only in the key and whether `nickname` is shown.
public protocol RecipientDefinition: ResourceDefinition {
    /// The request's key holding the recipient's fields (`pay_recipient`).
    static var detailsKey: String { get }
    /// Whether its body shows `nickname`.
    static var showsNickname: Bool { get }
    var details: RecipientDetails { get }
    init(details: RecipientDetails)
}

extension RecipientDefinition {
    public init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
        self.init(details: try RecipientDetails(body: body, detailsKey: Self.detailsKey, context: &context))
    }

    public var references: [String] { [details.recipientReference] }

    public func document(id: String, lifecycle: Lifecycle) -> JSON {
        Self.document(id: id, attributes: details.attributes(withNickname: Self.showsNickname))
    }
}
