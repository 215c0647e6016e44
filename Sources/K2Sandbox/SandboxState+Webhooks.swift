import OrderedJSON

/// Firing webhook events; runs under the sandbox's lock.
extension SandboxState {
    /// Builds the event's envelope (k2-api.md §6) for every subscription to its topic and
    /// scope, oldest subscription first, each signed with its subscriber's api key, and
    /// schedules their first attempts.
    mutating func fire(_ event: ScriptedEvent, at due: Timestamp) -> FiredEvent {
        let eventID = ids.uuid()
        let resourceID = ids.uuid()
        let resource = event.topic.resource(id: resourceID, reference: ids.reference(length: 10), at: due, overrides: event.resource)
        let till = resource["till_number"]?.stringValue
        let entry = EventLog.Entry(id: eventID, topic: event.topic, at: due, resource: resource)
        events.append(entry)
        unpublished.append(.event(topic: event.topic, id: eventID, at: due))
        var deliveryIDs: [Int] = []
        for stored in store.created(WebhookSubscription.kind) {
            guard let created = stored.created, let subscription = created.record as? WebhookSubscription,
                  subscription.receives(event.topic, till: till), let apiKey = apiKeys[created.origin.clientID] else { continue }
            let envelope = entry.envelope(origin: created.origin.url)
            let daraja = subscription.darajaPayload ? event.topic.darajaPayload(resource, at: due) : nil
            let added = deliveries.add(.webhook, subject: event.topic.rawValue, subjectID: eventID, url: subscription.url,
                                     body: (daraja ?? envelope).serialized(), apiKey: apiKey, at: due, quirks: event.quirks)
            for id in added {
                timeline.schedule(.attempt(deliveryID: id), at: due + event.quirks.delay)
                unpublished.append(.delivery(id: id, outcome: .pending, attempts: 0))
            }
            deliveryIDs += added
        }
        if event.topic.isReceivedTransaction { transactions.append(at: due, resource: resource) }
        return FiredEvent(at: due, topic: event.topic, id: eventID, deliveryIDs: deliveryIDs)
    }
}
