/// A resource's identity in the store: its kind and id (compared case-insensitively).
struct ResourceKey: Hashable, Sendable {
    let kind: ResourceKind
    let id: String

    init(kind: ResourceKind, id: String) {
        self.kind = kind
        // Ids are mostly generated lowercase already: lowercasing allocates a new string.
        var id = id
        let lowercase = id.withUTF8 { bytes in
            !bytes.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") || $0 >= 0x80 }
        }
        self.id = lowercase ? id : id.lowercased()
    }

    /// The id alone: ids rarely repeat across kinds, and hashing the kind too costs a replay.
    func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

/// Where a resource was created: the origin and API version the client used, and the client.
struct Origin: Sendable {
    var url: String
    var version: Int
    var clientID: String
}

/// A resource as the store keeps it: its body, and for created resources what they were made
/// from and where they are on their timeline. A created resource's body is rendered when it is
/// first read after a change (`ResourceStore.body` keeps it), not at every change: a replay of
/// 100,000 creates and their stage changes renders nothing until something is read.
struct StoredResource: Sendable {
    let kind: ResourceKind
    let id: String
    /// nil while stale: changed since it was last rendered.
    private var rendered: SelfLinkedBody?
    /// nil for fixtures, which are served as loaded and never change.
    private(set) var created: Created?

    /// What a created resource carries besides its body.
    struct Created: Sendable {
        var record: any ResourceDefinition
        var lifecycle: Lifecycle
        let origin: Origin
        /// How its callback misbehaves (from the timeline rule it matched).
        let quirks: DeliveryQuirks
        /// What chose its timeline, in words (a rule and where it is written, or a default).
        let timelineChosenBy: String
    }

    /// A fixture, served as `document` says.
    init(fixture: Scenario.Fixture) {
        kind = fixture.kind
        id = fixture.id
        rendered = SelfLinkedBody(document: fixture.document)
    }

    /// A created resource, to be rendered at its lifecycle's current stage when read.
    init(kind: ResourceKind, id: String, created: Created) {
        self.kind = kind
        self.id = id
        self.created = created
    }

    /// Its body now: the kept rendering, or a new one if it is stale (not kept: see `renderIfStale`).
    var body: SelfLinkedBody {
        if let rendered { return rendered }
        guard let created else { preconditionFailure("a fixture is rendered when loaded") }
        return SelfLinkedBody(document: created.record.document(id: id, lifecycle: created.lifecycle))
    }

    var isRendered: Bool { rendered != nil }

    /// Renders the body if it is stale, and keeps it.
    mutating func renderIfStale() {
        if rendered == nil { rendered = body }
    }

    /// Changes a created resource; its body is rendered again when next read. Fixtures are left alone.
    mutating func update(_ change: (inout Created) -> Void) {
        // In place: a copy would copy the record's box too, for every stage change of a replay.
        guard created != nil else { return }
        change(&created!)
        rendered = nil
    }

    /// Moves a created resource to `step` of its timeline, at `due`, if its record allows that
    /// stage then; returns its id and the stage, or nil (and nothing changes).
    mutating func reach(_ step: Int, at due: Timestamp) -> (id: String, stage: Stage)? {
        guard step < created?.lifecycle.timeline.count ?? 0, let stage = created?.lifecycle.timeline[step].stage,
              created?.record.allows(stage, at: due) == true else { return nil }
        created!.lifecycle.reach(step, at: due)
        rendered = nil
        return (id, stage)
    }

    /// The body as its client would GET it where it created it; nil for fixtures.
    func callbackBody(path: String) -> [UInt8]? {
        guard let origin = created?.origin else { return nil }
        return body.body(selfURL: origin.url + path)
    }
}
