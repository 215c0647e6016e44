import OrderedJSON

/// Every webhook event fired, so the links its envelope carries resolve: the event at
/// `/webhook_events/<id>` and its resource at `/<resource collection>/<resource id>`.
struct EventLog: Sendable {
    /// One fired event: what its envelope is built from.
    struct Entry: Sendable {
        let id: String
        let topic: WebhookTopic
        let at: Timestamp
        let resource: JSONObject
        var resourceID: String { resource["id"]?.stringValue ?? "" }
    }

    private var events: [String: Entry] = [:]
    /// (resource collection, lowercased resource id) to the event that carried it.
    private var resources: [ResourceKey: String] = [:]

    mutating func append(_ entry: Entry) {
        events[entry.id.lowercased()] = entry
        resources[ResourceKey(kind: ResourceKind(entry.topic.resourceCollection), id: entry.resourceID)] = entry.id.lowercased()
    }

    func event(_ id: String) -> Entry? { events[id.lowercased()] }

    /// The event whose resource is `id` in `collection`.
    func event(carrying id: String, in collection: String) -> Entry? {
        resources[ResourceKey(kind: ResourceKind(collection), id: id)].flatMap { events[$0] }
    }
}

extension EventLog.Entry {
    /// K2's event envelope (k2-api.md §6), its links on `origin`.
    func envelope(origin: String) -> JSON {
        [
            "topic": .string(topic.rawValue), "id": .string(id), "created_at": .string(at.iso8601(fractional: false)),
            "event": ["type": .string(topic.eventType), "resource": .object(resource)],
            "_links": ["self": .string(origin + "/webhook_events/" + id),
                       "resource": .string(origin + "/" + topic.resourceCollection + "/" + resourceID)],
        ]
    }
}
