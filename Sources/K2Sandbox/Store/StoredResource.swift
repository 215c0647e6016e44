/// A resource's identity in the store: its kind and id (compared case-insensitively).
struct ResourceKey: Hashable, Sendable {
    let kind: ResourceKind
    let id: String

    init(kind: ResourceKind, id: String) {
        self.kind = kind
        self.id = id.lowercased()
    }
}

/// Where a resource was created: the origin and API version the client used, and the client.
struct Origin: Sendable {
    var url: String
    var version: Int
    var clientID: String
}

/// A resource as the store keeps it: its body, rendered when it was loaded, created or changed,
/// and for created resources what they were made from and where they are on their timeline.
struct StoredResource: Sendable {
    let kind: ResourceKind
    let id: String
    private(set) var body: SelfLinkedBody
    /// nil for fixtures, which are served as loaded and never change.
    private(set) var created: Created?

    /// What a created resource carries besides its body.
    struct Created: Sendable {
        var record: any ResourceDefinition
        var lifecycle: Lifecycle
        let origin: Origin
        /// How its callback misbehaves (from the timeline rule it matched).
        let quirks: DeliveryQuirks
    }

    /// A fixture, served as `document` says.
    init(fixture: Scenario.Fixture) {
        kind = fixture.kind
        id = fixture.id
        body = SelfLinkedBody(document: fixture.document)
    }

    /// A created resource, rendered at its lifecycle's current stage.
    init(kind: ResourceKind, id: String, created: Created) {
        self.kind = kind
        self.id = id
        self.created = created
        self.body = SelfLinkedBody(document: created.record.document(id: id, lifecycle: created.lifecycle))
    }

    /// Changes a created resource and renders its body again; fixtures are left alone.
    mutating func update(_ change: (inout Created) -> Void) {
        guard var created else { return }
        change(&created)
        self.created = created
        body = SelfLinkedBody(document: created.record.document(id: id, lifecycle: created.lifecycle))
    }

    /// The body as its client would GET it where it created it; nil for fixtures.
    func callbackBody(path: String) -> [UInt8]? {
        guard let origin = created?.origin else { return nil }
        return body.body(selfURL: origin.url + path)
    }
}
