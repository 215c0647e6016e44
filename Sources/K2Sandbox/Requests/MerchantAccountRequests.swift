import OrderedJSON

/// `POST /api/v{1,2}/merchant_bank_accounts` (k2-api.md §5.6).
public struct MerchantBankAccountRequest: Sendable {
    let accountName: String
    let accountNumber: String
    let bankBranchRef: String
    let settlementMethod: String
    let nickname: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        accountName = try reader.string("account_name")
        accountNumber = try reader.string("account_number")
        bankBranchRef = try reader.string("bank_branch_ref")
        settlementMethod = try reader.optionalString("settlement_method") ?? "EFT"
        guard ["EFT", "RTS"].contains(settlementMethod) else { throw RequestError("settlement_method must be EFT or RTS") }
        nickname = try reader.optionalString("nickname")
    }
}

/// `POST /api/v{1,2}/merchant_wallets` (k2-api.md §5.6).
public struct MerchantWalletRequest: Sendable {
    let firstName: String?
    let lastName: String?
    let phoneNumber: String
    let network: String
    let nickname: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        let phone = try reader.string("phone_number")
        guard let normalized = normalizedKenyanPhone(phone) else {
            throw RequestError("phone_number '\(phone)' is not a valid phone number")
        }
        phoneNumber = normalized
        firstName = try reader.optionalString("first_name")
        lastName = try reader.optionalString("last_name")
        network = try reader.optionalString("network") ?? "Safaricom"
        nickname = try reader.optionalString("nickname")
    }
}
