import OrderedJSON

/// `merchant_bank_account`: a bank account settlements go to,
/// `POST /api/v{1,2}/merchant_bank_accounts` (k2-api.md §5.6).
public struct MerchantBankAccount: SettlementDestination {
    public static let kind = ResourceKind("merchant_bank_account")
    public static let collection = "merchant_bank_accounts"
    public static let versions = [1, 2]
    public static let settlementLabel = "Bank Account"
    public static let summary =
        "a bank account to settle to; `Approved` at once, with `account_reference`"
    /// Its create request's JSON Schema (the OpenAPI document's), as its reader below reads it.
    public static let requestSchema: JSON = Schema.object([
        "account_name": Schema.string, "account_number": Schema.string, "bank_branch_ref": Schema.string,
        "settlement_method": Schema.string, "nickname": Schema.string,
    ], required: ["account_name", "account_number", "bank_branch_ref"])
    /// A create request it accepts (with the default scenario's pay recipient).
    public static let requestExample: JSON = [
        "account_name": "Shop", "account_number": "1234567890", "bank_branch_ref": "633aa26c-7b7c-4091-ae28-96c0687cf886",
        "settlement_method": "RTS",
    ]

    let accountName: String
    let accountNumber: String
    let bankBranchRef: String
    let settlementMethod: String
    let nickname: String?
    /// Drawn at creation: another id settlement transfers may name it by.
    let accountReference: String

    public init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
        let reader = BodyReader(body)
        accountName = try reader.string("account_name")
        accountNumber = try reader.string("account_number")
        bankBranchRef = try reader.string("bank_branch_ref")
        settlementMethod = try reader.optionalString("settlement_method") ?? "EFT"
        guard ["EFT", "RTS"].contains(settlementMethod) else { throw RequestError("settlement_method must be EFT or RTS") }
        nickname = try reader.optionalString("nickname")
        accountReference = context.uuid()
    }

    public var references: [String] { [accountReference] }

    public func document(id: String, lifecycle: Lifecycle) -> JSON {
        Self.document(id: id, attributes: [
            "status": "Approved", "account_reference": .string(accountReference), "bank_branch_ref": .string(bankBranchRef),
            "account_name": .string(accountName), "account_number": .string(accountNumber),
            "settlement_method": .string(settlementMethod), "nickname": nickname.map(JSON.string) ?? .null,
        ] as JSON)
    }
}
