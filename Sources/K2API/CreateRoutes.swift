import K2Sandbox
import MicroHTTP
import OrderedJSON

/// The `POST` endpoints that create resources: 201, an empty body, and a lowercase `location`
/// (PHP's SDK reads `getHeaders()['location']` verbatim) holding the resource's absolute URL.
struct CreateRoutes: Sendable {
    let api: K2API

    func register(into router: inout Router<RouteHandler>) {
        add(&router, 1, "pay_recipients") { try .recipient(RecipientRequest(kind: .payRecipient, body: $0)) }
        add(&router, 2, "external_recipients") { try .recipient(RecipientRequest(kind: .externalRecipient, body: $0)) }
        add(&router, 1, "payments") { try .payment(PaymentRequest(body: $0)) }
        add(&router, 2, "send_money") { try .sendMoney(SendMoneyRequest(body: $0)) }
        add(&router, 1, "settlement_transfers") { try .settlementTransfer(SettlementTransferRequest(body: $0)) }
        add(&router, 1, "transaction_sms_notifications") { try .smsNotification(SMSNotificationRequest(body: $0)) }
        add(&router, 2, "reversals") { try .reversal(ReversalRequest(body: $0)) }
        add(&router, 2, "payment_links") { try .paymentLink(PaymentLinkRequest(body: $0)) }
        for version in [1, 2] {
            add(&router, version, "incoming_payments") { try .incomingPayment(IncomingPaymentRequest(body: $0)) }
            add(&router, version, "webhook_subscriptions") { try .webhookSubscription(WebhookSubscriptionRequest(body: $0)) }
            add(&router, version, "merchant_bank_accounts") { try .merchantBankAccount(MerchantBankAccountRequest(body: $0)) }
            add(&router, version, "merchant_wallets") { try .merchantWallet(MerchantWalletRequest(body: $0)) }
            add(&router, version, "polling") { try .polling(PollingRequest(body: $0)) }
        }
        // Cancelling answers 200 with a message, not 201 (k2-api.md §5.11). Python posts no body,
        // Ruby `null`, Node `{}`: none is read.
        router.add("POST", "/api/v2/payment_links/:id/cancel", api.authenticated { _, parameters, _ in
            let id = parameters["id"] ?? ""
            switch api.sandbox.cancelPaymentLink(id) {
            case .cancelled: return K2Responses.bytes(200, Array(#"{"message":"Payment link cancelled."}"#.utf8))
            case .notFound: return K2Responses.error(404, "No payment_link with id \(id)")
            case .alreadyPaid: return K2Responses.error(400, "Payment link has been paid and can no longer be cancelled")
            }
        })
    }

    private func add(
        _ router: inout Router<RouteHandler>, _ version: Int, _ collection: String,
        _ parse: @escaping @Sendable (JSONObject) throws -> CreateRequest
    ) {
        router.add("POST", "/api/v\(version)/\(collection)", api.authenticated { request, _, token in
            create(request, version: version, clientID: token.clientID, parse: parse)
        })
    }

    private func create(
        _ request: HTTPRequest, version: Int, clientID: String,
        parse: @Sendable (JSONObject) throws -> CreateRequest
    ) -> HTTPResponse {
        let body: JSONObject
        do { body = try RequestBody.jsonObject(request) } catch { return error.response }
        do {
            let origin = api.origin(of: request)
            let (kind, id) = try api.sandbox.create(try parse(body), clientID: clientID, origin: origin, version: version)
            let location = origin + kind.path(id: id, version: version)
            return HTTPResponse(status: 201, headers: HTTPHeaders([("location", location)]))
        } catch let error as RequestError {
            return K2Responses.error(400, error.message)
        } catch {
            return K2Responses.error(500, "Unexpected error: \(error)")
        }
    }
}
