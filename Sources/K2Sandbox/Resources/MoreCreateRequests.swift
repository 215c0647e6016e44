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

/// `POST /api/v1/settlement_transfers` (k2-api.md §5.7); without a destination it is a blind
/// transfer of the whole balance.
public struct SettlementTransferRequest: Sendable {
    /// nil for a blind transfer.
    let amount: Money?
    let destinationType: String?
    let destinationReference: String?
    let metadata: JSONObject
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        if let amount = try reader.object("amount"), !(amount["value"]?.isNull ?? true) {
            self.amount = try reader.amountObject("amount")
        } else {
            self.amount = nil
        }
        destinationType = try reader.optionalString("destination_type")
        destinationReference = try reader.optionalString("destination_reference")
        if let destinationType, !["merchant_bank_account", "merchant_wallet"].contains(destinationType) {
            throw RequestError("destination_type '\(destinationType)' is not one of merchant_bank_account, merchant_wallet")
        }
        if (destinationType == nil) != (destinationReference == nil) {
            throw RequestError("destination_type and destination_reference go together (or both absent for a blind transfer)")
        }
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
    }
}

/// `POST /api/v{1,2}/polling` (k2-api.md §5.8).
public struct PollingRequest: Sendable {
    let scope: String
    let scopeReference: String?
    let fromTime: Timestamp
    let toTime: Timestamp
    let fromText: String
    let toText: String
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        scope = try reader.string("scope").lowercased()
        guard scope == "till" || scope == "company" else { throw RequestError("scope must be till or company") }
        let reference = try reader.optionalString("scope_reference")
        scopeReference = (reference?.isEmpty ?? true) ? nil : reference
        if scope == "till", scopeReference == nil { throw RequestError("scope_reference (the till number) is required for scope till") }
        fromText = try reader.string("from_time")
        toText = try reader.string("to_time")
        guard let from = Timestamp(iso8601: fromText) else { throw RequestError("from_time '\(fromText)' is not an ISO-8601 time") }
        guard let to = Timestamp(iso8601: toText) else { throw RequestError("to_time '\(toText)' is not an ISO-8601 time") }
        guard from <= to else { throw RequestError("from_time must not be after to_time") }
        fromTime = from
        toTime = to
        callbackURL = try reader.callbackURL()
    }
}

/// `POST /api/v1/transaction_sms_notifications` (k2-api.md §5.9).
public struct SMSNotificationRequest: Sendable {
    let webhookEventReference: String
    let message: String
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        webhookEventReference = try reader.string("webhook_event_reference")
        message = try reader.string("message")
        callbackURL = try reader.callbackURL()
    }
}

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
