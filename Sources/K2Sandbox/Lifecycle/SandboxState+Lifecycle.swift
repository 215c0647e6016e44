/// Creating resources and moving them along their timelines; runs under the sandbox's lock.
extension SandboxState {
    /// Runs every event due at the clock's current time, in order.
    @discardableResult
    mutating func runDue() -> [Transition] {
        var ran: [Transition] = []
        let now = clock.now()
        while let (due, event) = scheduler.popDue(at: now) {
            switch event {
            case .transition(let key, let step):
                guard var resource = resources[key], var lifecycle = resource.lifecycle else { continue }
                lifecycle.reach(step, at: due)
                resource.lifecycle = lifecycle
                resource.render()
                resources[key] = resource
                ran.append(Transition(at: due, kind: key.kind, id: resource.id, stage: lifecycle.stage))
            }
        }
        return ran
    }

    mutating func create(_ request: CreateRequest, timelines: Timelines) throws(RequestError) -> (ResourceKind, String) {
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
        if !Stage.allowed(for: kind).isEmpty {
            let timeline = timelines.timeline(for: facts)
            lifecycle = Lifecycle(createdAt: now, timeline: timeline)
            for (index, step) in timeline.enumerated() {
                if step.after.milliseconds == 0 {
                    lifecycle?.reach(index, at: now)
                } else {
                    scheduler.schedule(.transition(key, step: index), at: now + step.after)
                }
            }
        }
        var resource = StoredResource(kind: kind, id: id, body: SelfLinkedBody(document: .null), record: record, lifecycle: lifecycle)
        resource.render()
        resources[key] = resource
        return (kind, id)
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
