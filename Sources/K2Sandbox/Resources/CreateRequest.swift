/// A validated request to create a resource.
public enum CreateRequest: Sendable {
    case recipient(RecipientRequest)
    case payment(PaymentRequest)
    case sendMoney(SendMoneyRequest)
    case incomingPayment(IncomingPaymentRequest)
    case webhookSubscription(WebhookSubscriptionRequest)
}
