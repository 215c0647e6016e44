/// The kinds of K2 resources, as `data.type` names them, with the collection each is served
/// under and the API versions that serve it.
public enum ResourceKind: String, Sendable, CaseIterable {
    case payment
    case sendMoney = "send_money"
    case incomingPayment = "incoming_payment"
    case payRecipient = "pay_recipient"
    case externalRecipient = "external_recipient"
    case webhookSubscription = "webhook_subscription"
    case merchantBankAccount = "merchant_bank_account"
    case merchantWallet = "merchant_wallet"
    case settlementTransfer = "settlement_transfer"
    case polling
    case transactionSmsNotification = "transaction_sms_notification"
    case reversal
    case paymentLink = "payment_link"

    /// The path segment after `/api/vN/`.
    public var collection: String {
        switch self {
        case .payment: "payments"
        case .sendMoney: "send_money"
        case .incomingPayment: "incoming_payments"
        case .payRecipient: "pay_recipients"
        case .externalRecipient: "external_recipients"
        case .webhookSubscription: "webhook_subscriptions"
        case .merchantBankAccount: "merchant_bank_accounts"
        case .merchantWallet: "merchant_wallets"
        case .settlementTransfer: "settlement_transfers"
        case .polling: "polling"
        case .transactionSmsNotification: "transaction_sms_notifications"
        case .reversal: "reversals"
        case .paymentLink: "payment_links"
        }
    }

    /// API versions under which K2 serves this kind (k2-api.md §4).
    public var versions: Set<Int> {
        switch self {
        case .payment, .payRecipient, .settlementTransfer, .transactionSmsNotification: [1]
        case .sendMoney, .externalRecipient, .reversal, .paymentLink: [2]
        default: [1, 2]
        }
    }

    public init?(collection: String) {
        guard let kind = ResourceKind.allCases.first(where: { $0.collection == collection }) else { return nil }
        self = kind
    }

    /// `/api/vN/collection/id`.
    public func path(id: String, version: Int) -> String {
        "/api/v\(version)/\(collection)/\(id)"
    }
}
