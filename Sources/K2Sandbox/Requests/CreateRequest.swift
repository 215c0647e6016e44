/// A validated request to create a resource.
public enum CreateRequest: Sendable {
    case recipient(RecipientRequest)
    case payment(PaymentRequest)
    case sendMoney(SendMoneyRequest)
    case incomingPayment(IncomingPaymentRequest)
    case webhookSubscription(WebhookSubscriptionRequest)
    case merchantBankAccount(MerchantBankAccountRequest)
    case merchantWallet(MerchantWalletRequest)
    case settlementTransfer(SettlementTransferRequest)
    case polling(PollingRequest)
    case smsNotification(SMSNotificationRequest)
    case reversal(ReversalRequest)
    case paymentLink(PaymentLinkRequest)
}
