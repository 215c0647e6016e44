/// Creating resources and moving them along their timelines; runs under the sandbox's lock.
extension SandboxState {
    /// Applies every stage change due at the clock's current time, in order.
    @discardableResult
    mutating func runDueTransitions() -> [Transition] {
        // Most GETs find nothing scheduled: no need to read the clock then.
        guard !transitions.isEmpty else { return [] }
        var ran: [Transition] = []
        let now = clock.now()
        while let (due, event) = transitions.popDue(at: now) {
            if case .transition(let applied)? = apply(event, at: due) { ran.append(applied) }
        }
        return ran
    }

    /// The earlier of the next stage change and the next delivery, if due by `target`.
    mutating func nextStep(upTo target: Timestamp) -> SandboxStep? {
        let transitionKey = transitions.nextKey, deliveryKey = deliveryQueue.nextKey
        let takeTransition: Bool
        switch (transitionKey, deliveryKey) {
        case (nil, nil): return nil
        case (.some, nil): takeTransition = true
        case (nil, .some): takeTransition = false
        case (let t?, let d?): takeTransition = t < d
        }
        if takeTransition {
            guard let (due, event) = transitions.popDue(at: target) else { return nil }
            guard let step = apply(event, at: due) else { return nextStep(upTo: target) }
            return step
        }
        guard let (due, id) = deliveryQueue.popDue(at: target) else { return nil }
        guard let job = job(for: id, at: due) else { return nextStep(upTo: target) }
        return .delivery(job)
    }

    private mutating func apply(_ event: TimedEvent, at due: Timestamp) -> SandboxStep? {
        switch event {
        case .transition(let transition): apply(transition, at: due).map(SandboxStep.transition)
        case .webhook(let scripted): .event(fire(scripted, at: due))
        }
    }

    private mutating func apply(_ transition: ScheduledTransition, at due: Timestamp) -> Transition? {
        guard var resource = resources[transition.key], var lifecycle = resource.lifecycle else { return nil }
        // A cancelled payment link is never paid.
        if case .paymentLink(_, _, _, let cancelledAt?)? = resource.record, cancelledAt <= due { return nil }
        lifecycle.reach(transition.step, at: due)
        resource.lifecycle = lifecycle
        resource.render()
        resources[transition.key] = resource
        if lifecycle.stage.isFinal(for: resource.kind) { queueCallback(for: resource, at: due) }
        return Transition(at: due, kind: transition.key.kind, id: resource.id, stage: lifecycle.stage)
    }

    /// Journals the resource's callback and schedules its first attempt.
    private mutating func queueCallback(for resource: StoredResource, at due: Timestamp) {
        guard let record = resource.record, let url = record.callbackURL, !url.isEmpty,
              let origin = resource.origin, let apiKey = apiKeys[origin.clientID],
              let body = resource.callbackBody else { return }
        addDeliveries(.callback, subject: resource.kind.rawValue, subjectID: resource.id, url: url, body: body,
                      apiKey: apiKey, at: due, quirks: resource.quirks)
    }

    /// Journals a delivery (and its duplicates) and schedules the first attempts.
    @discardableResult
    private mutating func addDeliveries(
        _ kind: Delivery.Kind, subject: String, subjectID: String, url: String, body: [UInt8], apiKey: String,
        at due: Timestamp, quirks: DeliveryQuirks
    ) -> [Int] {
        let key = quirks.badSignature ? apiKey + "-but-wrong" : apiKey
        var ids: [Int] = []
        for _ in 0...max(0, quirks.duplicates) {
            let id = deliveries.count + 1
            deliveries.append(Delivery(
                id: id, kind: kind, subject: subject, subjectID: subjectID, url: url, body: body,
                signature: kopoKopoSignature(body: body, apiKey: key), createdAt: due))
            scheduleDelivery(id, at: due + quirks.delay)
            ids.append(id)
        }
        return ids
    }

    /// Builds the event's envelope (k2-api.md §6) for every subscription to its topic and scope,
    /// each signed with its subscriber's api key.
    mutating func fire(_ event: ScriptedEvent, at due: Timestamp) -> FiredEvent {
        let eventID = ids.uuid()
        let resourceID = ids.uuid()
        let resource = event.topic.resource(id: resourceID, reference: ids.reference(length: 10), at: due, overrides: event.resource)
        let till = resource["till_number"]?.stringValue
        var deliveryIDs: [Int] = []
        for key in subscriptions {
            guard let subscription = resources[key], case .webhookSubscription(let request)? = subscription.record,
                  request.eventType == event.topic.rawValue,
                  request.scope == "company" || !event.topic.isTillScoped || request.scopeReference == till,
                  let origin = subscription.origin, let apiKey = apiKeys[origin.clientID] else { continue }
            let envelope: JSON = [
                "topic": .string(event.topic.rawValue), "id": .string(eventID),
                "created_at": .string(due.iso8601(fractional: false)),
                "event": ["type": .string(event.topic.eventType), "resource": .object(resource)],
                "_links": ["self": .string(origin.url + "/webhook_events/" + eventID),
                           "resource": .string(origin.url + "/" + event.topic.resourceCollection + "/" + (resource["id"]?.stringValue ?? resourceID))],
            ]
            let daraja = request.darajaPayload ? event.topic.darajaPayload(resource, at: due) : nil
            deliveryIDs += addDeliveries(.webhook, subject: event.topic.rawValue, subjectID: eventID, url: request.url,
                                         body: (daraja ?? envelope).serialized(), apiKey: apiKey, at: due, quirks: event.quirks)
        }
        if event.topic == .buygoodsTransactionReceived {
            transactionLog.append(LoggedTransaction(at: due, till: till, resource: resource))
        }
        return FiredEvent(at: due, topic: event.topic, id: eventID, deliveryIDs: deliveryIDs)
    }

    /// The next attempt of delivery `id`, made at `due`.
    func job(for id: Int, at due: Timestamp) -> DeliveryJob? {
        guard id >= 1, id <= deliveries.count else { return nil }
        let delivery = deliveries[id - 1]
        return DeliveryJob(
            epoch: epoch, deliveryID: id, attempt: delivery.attempts.count + 1, due: due, url: delivery.url,
            headers: [("Content-Type", "application/json"), ("User-Agent", "k2mock"),
                      ("X-KopoKopo-Signature", delivery.signature)],
            body: delivery.body, timeoutMilliseconds: Int(callbackSettings.timeout.milliseconds))
    }

    mutating func record(_ job: DeliveryJob, _ result: DeliveryResult, retry: Bool) {
        guard job.epoch == epoch, job.deliveryID >= 1, job.deliveryID <= deliveries.count else { return }
        var delivery = deliveries[job.deliveryID - 1]
        delivery.attempts.append(DeliveryAttempt(
            number: delivery.attempts.count + 1, at: job.due, status: result.status, error: result.error,
            latencyMilliseconds: result.latencyMilliseconds, delivered: result.isSuccess))
        if result.isSuccess {
            delivery.outcome = .delivered
        } else if retry, delivery.attempts.count < callbackSettings.attempts {
            scheduleDelivery(job.deliveryID, at: job.due + callbackSettings.backoff(after: delivery.attempts.count))
        } else if delivery.outcome != .delivered {
            delivery.outcome = .failed
        }
        deliveries[job.deliveryID - 1] = delivery
    }

    mutating func create(_ request: CreateRequest, timelines: Timelines, origin: Origin) throws(RequestError) -> (ResourceKind, String) {
        let now = clock.now()
        let id = ids.uuid()
        let kind: ResourceKind
        let record: ResourceRecord
        var facts: MatchFacts
        switch request {
        case .recipient(let recipient):
            kind = recipient.kind
            record = .recipient(recipient, recipientReference: ids.uuid())
            facts = MatchFacts(kind: kind)
        case .payment(let payment):
            kind = .payment
            let label = try destinationLabel(for: payment)
            record = .payment(payment, destinationLabel: label, transactionReference: ids.reference(length: 10))
            facts = MatchFacts(kind: kind)
            facts.amountsCents = [payment.amount.cents]
            facts.destinationTypes = [payment.destinationType]
            facts.metadata = payment.metadata.stringValues
            if let phone = recipientPhone(payment.destinationReference) { facts.phoneNumbers = [phone] }
        case .sendMoney(let sendMoney):
            kind = .sendMoney
            let count = sendMoney.destinations.count
            record = .sendMoney(sendMoney,
                                destinationReferences: (0..<count).map { _ in ids.uuid() },
                                transactionReferences: (0..<count).map { _ in ids.reference(length: 10) })
            facts = MatchFacts(kind: kind)
            facts.amountsCents = sendMoney.destinations.map(\.amount.cents)
            facts.destinationTypes = sendMoney.destinations.map(\.type)
            facts.phoneNumbers = sendMoney.destinations.compactMap(\.phoneNumber)
            facts.metadata = sendMoney.metadata.stringValues
        case .merchantBankAccount(let account):
            kind = .merchantBankAccount
            record = .merchantBankAccount(account, accountReference: ids.uuid())
            facts = MatchFacts(kind: kind)
        case .merchantWallet(let wallet):
            kind = .merchantWallet
            record = .merchantWallet(wallet, accountReference: ids.uuid())
            facts = MatchFacts(kind: kind)
        case .settlementTransfer(let transfer):
            kind = .settlementTransfer
            var label = "Bank Account", reference = ids.uuid()
            if let type = transfer.destinationType, let destination = transfer.destinationReference {
                let destinationKind: ResourceKind = type == "merchant_wallet" ? .merchantWallet : .merchantBankAccount
                guard findMerchantAccount(destination, kind: destinationKind) else {
                    throw RequestError("destination_reference '\(destination)' is not a known \(type)")
                }
                label = destinationKind == .merchantWallet ? "Mobile Wallet" : "Bank Account"
                reference = destination
            }
            record = .settlementTransfer(transfer, destinationLabel: label, destinationReference: reference,
                                         transactionReference: ids.reference(length: 10))
            facts = MatchFacts(kind: kind)
            facts.amountsCents = transfer.amount.map { [$0.cents] } ?? []
            facts.destinationTypes = transfer.destinationType.map { [$0] } ?? []
            facts.metadata = transfer.metadata.stringValues
        case .polling(let polling):
            kind = .polling
            let transactions = transactionLog.filter { entry in
                entry.at >= polling.fromTime && entry.at <= polling.toTime
                    && (polling.scope == "company" || entry.till == polling.scopeReference)
            }.map { entry -> JSON in ["type": "Buygoods Transaction", "resource": .object(entry.resource)] }
            record = .polling(polling, transactions: transactions)
            facts = MatchFacts(kind: kind)
            facts.tillNumber = polling.scopeReference
        case .smsNotification(let notification):
            kind = .transactionSmsNotification
            record = .smsNotification(notification)
            facts = MatchFacts(kind: kind)
        case .reversal(let reversal):
            kind = .reversal
            record = .reversal(reversal, reference: ids.reference(length: 10))
            facts = MatchFacts(kind: kind)
            facts.metadata = reversal.metadata.stringValues
        case .paymentLink(let link):
            kind = .paymentLink
            record = .paymentLink(link, linkID: ids.uuid(), transactionReference: ids.reference(length: 10), cancelledAt: nil)
            facts = MatchFacts(kind: kind)
            facts.amountsCents = [link.amount.cents]
            facts.tillNumber = link.tillNumber
            facts.metadata = link.metadata.stringValues
        case .webhookSubscription(let subscription):
            kind = .webhookSubscription
            record = .webhookSubscription(subscription)
            facts = MatchFacts(kind: kind)
            subscriptions.append(ResourceKey(kind: kind, id: id))
        case .incomingPayment(let incoming):
            kind = .incomingPayment
            record = .incomingPayment(incoming, transactionID: ids.uuid(), reference: ids.reference(length: 10))
            facts = MatchFacts(kind: kind)
            facts.amountsCents = [incoming.amount.cents]
            facts.phoneNumbers = [incoming.phoneNumber]
            facts.tillNumber = incoming.tillNumber
            facts.metadata = incoming.metadata.stringValues
        }
        let key = ResourceKey(kind: kind, id: id)
        var lifecycle: Lifecycle?
        var quirks = DeliveryQuirks()
        if !Stage.allowed(for: kind).isEmpty {
            let (timeline, ruleQuirks) = timelines.plan(for: facts)
            quirks = ruleQuirks
            lifecycle = Lifecycle(createdAt: now, timeline: timeline)
            for (index, step) in timeline.enumerated() {
                if step.after.milliseconds == 0 {
                    lifecycle?.reach(index, at: now)
                } else {
                    schedule(.transition(ScheduledTransition(key: key, step: index)), at: now + step.after)
                }
            }
        }
        var resource = StoredResource(kind: kind, id: id, body: SelfLinkedBody(document: .null), record: record,
                                      lifecycle: lifecycle, origin: origin, quirks: quirks)
        resource.render()
        resources[key] = resource
        if let lifecycle, lifecycle.stage.isFinal(for: kind) { queueCallback(for: resource, at: now) }
        return (kind, id)
    }

    /// Cancels a payment link (again is fine; once paid it is too late).
    mutating func cancelPaymentLink(_ id: String) -> PaymentLinkCancellation {
        let key = ResourceKey(kind: .paymentLink, id: id)
        guard var resource = resources[key],
              case .paymentLink(let request, let linkID, let reference, let cancelled)? = resource.record else {
            return .notFound
        }
        if cancelled == nil, resource.lifecycle?.stage == .paid { return .alreadyPaid }
        resource.record = .paymentLink(request, linkID: linkID, transactionReference: reference, cancelledAt: cancelled ?? clock.now())
        resource.render()
        resources[key] = resource
        return .cancelled
    }

    /// A merchant bank account or wallet by its id or `account_reference`.
    private func findMerchantAccount(_ reference: String, kind: ResourceKind) -> Bool {
        if resources[ResourceKey(kind: kind, id: reference)] != nil { return true }
        return resources.values.contains { resource in
            switch resource.record {
            case .merchantBankAccount(_, let accountReference)?, .merchantWallet(_, let accountReference)?:
                resource.kind == kind && accountReference == reference.lowercased()
            default: false
            }
        }
    }

    /// "Mobile Wallet" and so on, for the recipient a v1 payment names; refuses unknown ones.
    private func destinationLabel(for payment: PaymentRequest) throws(RequestError) -> String {
        guard let recipient = findRecipient(payment.destinationReference) else {
            throw RequestError("destination_reference '\(payment.destinationReference)' is not a known pay recipient")
        }
        if case .recipient(let request, _)? = recipient.record, request.type.rawValue != payment.destinationType {
            throw RequestError("destination_type '\(payment.destinationType)' does not match the recipient's type '\(request.type.rawValue)'")
        }
        return RecipientType(rawValue: payment.destinationType)?.label ?? payment.destinationType
    }

    /// A pay recipient by its id or its `recipient_reference`, created or from a fixture.
    private func findRecipient(_ reference: String) -> StoredResource? {
        if let byID = resources[ResourceKey(kind: .payRecipient, id: reference)] { return byID }
        return resources.values.first { resource in
            if case .recipient(_, let recipientReference)? = resource.record {
                return recipientReference == reference.lowercased()
            }
            return false
        }
    }

    private func recipientPhone(_ reference: String) -> String? {
        guard case .recipient(let request, _)? = findRecipient(reference)?.record else { return nil }
        return request.fields.first { $0.0 == "phone_number" }?.1
    }
}

import OrderedJSON

extension JSONObject {
    /// The members whose values are strings (or numbers, as text): what rules match on.
    var stringValues: [String: String] {
        var result: [String: String] = [:]
        for member in members {
            switch member.value {
            case .string(let value): result[member.key] = value
            case .number(let lexeme): result[member.key] = lexeme
            default: continue
            }
        }
        return result
    }
}
