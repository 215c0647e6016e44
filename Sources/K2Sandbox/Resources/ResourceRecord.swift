import OrderedJSON

/// What a created resource is: its request and the values drawn for it when it was created
/// (drawing them up front keeps later transitions from depending on request interleaving).
enum ResourceRecord: Sendable {
    case recipient(RecipientRequest, recipientReference: String)
    case payment(PaymentRequest, destinationLabel: String, transactionReference: String)
    case sendMoney(SendMoneyRequest, destinationReferences: [String], transactionReferences: [String])
    case incomingPayment(IncomingPaymentRequest, transactionID: String, reference: String)
    case webhookSubscription(WebhookSubscriptionRequest)
    case merchantBankAccount(MerchantBankAccountRequest, accountReference: String)
    case merchantWallet(MerchantWalletRequest, accountReference: String)
    case settlementTransfer(SettlementTransferRequest, destinationLabel: String, destinationReference: String, transactionReference: String)
    /// The buygoods transactions in the window, as they stood when polling was requested.
    case polling(PollingRequest, transactions: [JSON])
    case smsNotification(SMSNotificationRequest)
    case reversal(ReversalRequest, reference: String)
    case paymentLink(PaymentLinkRequest, linkID: String, transactionReference: String, cancelledAt: Timestamp?)
}

extension ResourceRecord {
    /// Where the resource's result is POSTed, if the request named a place.
    var callbackURL: String? {
        switch self {
        case .recipient: nil
        case .payment(let request, _, _): request.callbackURL
        case .sendMoney(let request, _, _): request.callbackURL
        case .incomingPayment(let request, _, _): request.callbackURL
        case .webhookSubscription, .merchantBankAccount, .merchantWallet: nil
        case .settlementTransfer(let request, _, _, _): request.callbackURL
        case .polling(let request, _): request.callbackURL
        case .smsNotification(let request): request.callbackURL
        case .reversal(let request, _): request.callbackURL
        case .paymentLink(let request, _, _, _): request.callbackURL
        }
    }
}

/// The body of a created resource at its current stage.
func renderDocument(kind: ResourceKind, id: String, record: ResourceRecord, lifecycle: Lifecycle?) -> JSON {
    let encoder = OrderedJSONEncoder()
    let stage = lifecycle?.stage ?? .pending
    let created = (lifecycle?.createdAt ?? Timestamp(milliseconds: 0)).iso8601()
    let failure = stage == .failed ? (lifecycle?.failure ?? "The transaction failed") : nil
    let document: any Encodable
    switch record {
    case .recipient(let request, let recipientReference):
        var attributes: JSON = ["recipient_type": .string(request.type.label), "status": "Approved"]
        if case .object(var object) = attributes {
            for (field, value) in request.fields { object[field] = value.map(JSON.string) ?? .null }
            if kind == .externalRecipient { object["nickname"] = request.nickname.map(JSON.string) ?? .null }
            object["recipient_reference"] = .string(recipientReference)
            attributes = .object(object)
        }
        document = ResourceDocument(id: id, type: kind.rawValue, attributes: attributes)

    case .payment(let request, let label, let transactionReference):
        let transferred = lifecycle?.time(of: .transferred)
        var batches: [TransferBatch] = []
        if stage == .processed || stage == .transferred {
            let status = stage == .transferred ? "Transferred" : "Pending"
            batches = [TransferBatch(status: status, disbursements: [Disbursement(
                amount: request.amount.decimalString, status: status, destination_type: label,
                origination_time: transferred?.iso8601(), destination_reference: request.destinationReference,
                transaction_reference: stage == .transferred ? transactionReference : nil)])]
        }
        document = ResourceDocument(id: id, type: kind.rawValue, attributes: PaymentAttributes(
            status: stage == .transferred ? "Processed" : stage.rawValue, created_at: created,
            origination_time: transferred?.iso8601(),
            amount: AmountValue(currency: "KES", value: request.amount.valueJSON), transfer_batches: batches,
            errors: failure, metadata: .object(request.metadata), _links: ResourceLinks(callbackURL: request.callbackURL)))

    case .sendMoney(let request, let destinationReferences, let transactionReferences):
        let transferred = lifecycle?.time(of: .transferred)
        var batches: [SendMoneyTransferBatch] = []
        if stage == .processed || stage == .transferred {
            let status = stage == .transferred ? "Transferred" : "Pending"
            for (index, destination) in request.destinations.enumerated() {
                var disbursement: JSON = ["amount": .string(destination.amount.decimalString), "errors": nil, "status": .string(status)]
                if case .object(var object) = disbursement {
                    for key in ["nickname", "favourite", "phone_number", "account_name", "account_number", "bank_branch_ref",
                                "till_number", "paybill_number", "paybill_account_number"] {
                        if let value = destination.echo[key] { object[key] = value }
                    }
                    object["destination_type"] = .string(destination.type)
                    object["origination_time"] = transferred.map { .string($0.iso8601()) } ?? .null
                    object["destination_reference"] = .string(destinationReferences[index])
                    object["transaction_reference"] = stage == .transferred ? .string(transactionReferences[index]) : .null
                    disbursement = .object(object)
                }
                batches.append(SendMoneyTransferBatch(status: status, amount: destination.amount.decimalString,
                                                      disbursements: [disbursement]))
            }
        }
        document = ResourceDocument(id: id, type: kind.rawValue, attributes: SendMoneyAttributes(
            status: stage == .transferred ? "Processed" : stage.rawValue, created_at: created,
            source_identifier: request.sourceIdentifier, destinations: request.destinations.map { .object($0.echo) },
            currency: "KES", transfer_batches: batches, errors: failure, metadata: .object(request.metadata),
            _links: ResourceLinks(callbackURL: request.callbackURL)))

    case .incomingPayment(let request, let transactionID, let reference):
        var transaction: IncomingPaymentTransaction?
        if stage == .success, let received = lifecycle?.time(of: .success) {
            transaction = IncomingPaymentTransaction(
                id: transactionID, reference: reference, origination_time: received.iso8601(fractional: false),
                sender_phone_number: request.phoneNumber, amount: request.amount.decimalString, currency: "KES",
                till_number: request.tillNumber, sender_first_name: request.firstName,
                sender_middle_name: request.middleName, sender_last_name: request.lastName)
        }
        document = ResourceDocument(id: id, type: kind.rawValue, attributes: IncomingPaymentAttributes(
            initiation_time: created, status: stage.rawValue,
            event: IncomingPaymentEvent(resource: transaction, errors: failure),
            metadata: .object(request.metadata), _links: ResourceLinks(callbackURL: request.callbackURL)))

    case .webhookSubscription(let request):
        let attributes: JSON = [
            "event_type": .string(request.eventType), "webhook_uri": .string(request.url), "status": "Active",
            "scope": .string(request.scope), "scope_reference": request.scopeReference.map(JSON.string) ?? .null,
        ]
        document = ResourceDocument(id: id, type: kind.rawValue, attributes: attributes)

    case .merchantBankAccount(let request, let accountReference):
        document = ResourceDocument(id: id, type: kind.rawValue, attributes: [
            "status": "Approved", "account_reference": .string(accountReference), "bank_branch_ref": .string(request.bankBranchRef),
            "account_name": .string(request.accountName), "account_number": .string(request.accountNumber),
            "settlement_method": .string(request.settlementMethod), "nickname": request.nickname.map(JSON.string) ?? .null,
        ] as JSON)

    case .merchantWallet(let request, let accountReference):
        document = ResourceDocument(id: id, type: kind.rawValue, attributes: [
            "status": "Approved", "account_reference": .string(accountReference), "phone_number": .string(request.phoneNumber),
            "network": .string(request.network), "first_name": request.firstName.map(JSON.string) ?? .null,
            "last_name": request.lastName.map(JSON.string) ?? .null, "nickname": request.nickname.map(JSON.string) ?? .null,
        ] as JSON)

    case .settlementTransfer(let request, let label, let destinationReference, let transactionReference):
        let transferred = lifecycle?.time(of: .transferred)
        var batches: [TransferBatch] = []
        if stage == .processed || stage == .transferred {
            let status = stage == .transferred ? "Transferred" : "Pending"
            batches = [TransferBatch(status: status, disbursements: [Disbursement(
                amount: (request.amount ?? Money(cents: 0)).decimalString, status: status, destination_type: label,
                origination_time: transferred?.iso8601(), destination_reference: destinationReference,
                transaction_reference: stage == .transferred ? transactionReference : nil)])]
        }
        document = ResourceDocument(id: id, type: kind.rawValue, attributes: PaymentAttributes(
            status: stage == .transferred ? "Processed" : stage.rawValue, created_at: created,
            origination_time: transferred?.iso8601(),
            amount: AmountValue(currency: "KES", value: request.amount?.valueJSON ?? .null), transfer_batches: batches,
            errors: failure, metadata: .object(request.metadata), _links: ResourceLinks(callbackURL: request.callbackURL)))

    case .polling(let request, let transactions):
        document = ResourceDocument(id: id, type: kind.rawValue, attributes: [
            "status": .string(stage.rawValue), "created_at": .string(created), "from_time": .string(request.fromText),
            "to_time": .string(request.toText), "transactions": .array(stage == .success ? transactions : []),
            "scope": .string(request.scope == "till" ? "Till" : "Company"),
            "scope_reference": request.scopeReference.map(JSON.string) ?? .null,
            "errors": failure.map(JSON.string) ?? .null, "metadata": [:],
            "_links": ["callback_url": request.callbackURL.map(JSON.string) ?? .null, "self": ""],
        ] as JSON)

    case .smsNotification(let request):
        document = ResourceDocument(id: id, type: kind.rawValue, attributes: [
            "status": .string(stage.rawValue), "message": .string(request.message),
            "webhook_event_reference": .string(request.webhookEventReference),
            "errors": failure.map(JSON.string) ?? .null, "metadata": [:],
            "_links": ["callback_url": request.callbackURL.map(JSON.string) ?? .null, "self": ""],
        ] as JSON)

    case .reversal(let request, let reference):
        var bulk: JSON = .null
        if stage == .processed, let processed = lifecycle?.time(of: .processed) {
            bulk = ["amount": nil, "status": "Transferred", "origination_time": .string(processed.iso8601()),
                    "transaction_reference": .string(reference)]
        }
        document = ResourceDocument(id: id, type: kind.rawValue, attributes: [
            "status": .string(stage == .pending ? "Received" : stage.rawValue), "created_at": .string(created),
            "transaction_reference": .string(request.transactionReference), "reason": request.reason.map(JSON.string) ?? .null,
            "reversal_bulk_payment": bulk, "errors": failure.map(JSON.string) ?? .null,
            "metadata": .object(request.metadata),
            "_links": ["callback_url": request.callbackURL.map(JSON.string) ?? .null, "self": ""],
        ] as JSON)

    case .paymentLink(let request, let linkID, let transactionReference, let cancelledAt):
        let createdAt = lifecycle?.createdAt ?? Timestamp(milliseconds: 0)
        let paidAt = cancelledAt == nil ? lifecycle?.time(of: .paid) : nil
        let linkStatus: JSON = paidAt != nil ? "Paid" : cancelledAt == nil ? "Active" : "Cancelled"
        // The view guide's keys and the paid callback's, together (k2-api.md §5.11).
        var link: JSON = ["payment_link_status": linkStatus, "status": linkStatus,
                          "expires_at": .string((createdAt + .seconds(7 * 86_400)).iso8601()),
                          "initiator_name": "Demo Merchant", "link": .string("/links/" + linkID)]
        if let paidAt, case .object(var object) = link {
            object["transaction_reference"] = .string(transactionReference)
            object["sender_phone_number"] = .number("254999999999")
            object["origination_time"] = .string(paidAt.iso8601())
            link = .object(object)
        }
        document = ResourceDocument(id: id, type: kind.rawValue, attributes: [
            "status": "Processed", "created_at": .string(created), "till_name": "Demo Merchant",
            "till_number": .string(request.tillNumber), "payment_reference": request.paymentReference.map(JSON.string) ?? .null,
            "currency": "KES", "amount": .string(request.amount.decimalString), "note": request.note.map(JSON.string) ?? .null,
            "payment_link": link,
            "errors": nil, "metadata": .object(request.metadata),
            "_links": ["callback_url": request.callbackURL.map(JSON.string) ?? .null, "self": ""],
        ] as JSON)
    }
    return (try? encoder.encode(document)) ?? .null
}
