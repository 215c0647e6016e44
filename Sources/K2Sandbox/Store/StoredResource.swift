/// A resource's identity in the store: its kind and id (compared case-insensitively).
struct ResourceKey: Hashable, Sendable {
    let kind: ResourceKind
    let id: String

    init(kind: ResourceKind, id: String) {
        self.kind = kind
        // Ids are mostly generated lowercase already: lowercasing allocates a new string.
        let lowercase = id.withUTF8Bytes { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") || byte >= 0x80 { return false }
                index += 1
            }
            return true
        }
        self.id = lowercase ? id : id.lowercased()
    }

    /// The id alone: ids rarely repeat across kinds, and hashing the kind too costs a replay.
    func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

/// Where a resource was created: the origin and API version the client used, and the client.
/// One object per distinct origin (`SandboxState.intern`): a million payments from one app
/// share it instead of each keeping two strings.
final class Origin: Hashable, Sendable {
    let url: String
    let version: Int
    let clientID: String

    init(url: String, version: Int, clientID: String) {
        self.url = url
        self.version = version
        self.clientID = clientID
    }

    static func == (lhs: Origin, rhs: Origin) -> Bool {
        lhs.url == rhs.url && lhs.version == rhs.version && lhs.clientID == rhs.clientID
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(url)
        hasher.combine(version)
        hasher.combine(clientID)
    }
}

/// A resource as the store keeps it: a fixture's body, or for a created resource what it was
/// made from and where it is on its timeline. A created resource's body is rendered when read
/// (`ResourceStore.body` keeps the latest few): a million stored payments would otherwise keep
/// a million bodies, and a replay renders nothing until something is read.
struct StoredResource: Sendable {
    let kind: ResourceKind
    let id: String
    /// A fixture's body, rendered when loaded; nil for created resources.
    let fixtureBody: SelfLinkedBody?
    /// nil for fixtures, which are served as loaded and never change.
    private(set) var created: Created?

    /// What a created resource carries besides its id.
    struct Created: Sendable {
        var record: any ResourceDefinition
        var lifecycle: Lifecycle
        let origin: Origin
        /// Which plan chose its timeline (`Timelines.plan`): how its callback misbehaves and
        /// what chose it, in words, are read from there, not kept per resource.
        let plan: TimelinePlanID
    }

    /// A fixture, served as `document` says.
    init(fixture: Scenario.Fixture) {
        kind = fixture.kind
        id = fixture.id
        fixtureBody = SelfLinkedBody(document: fixture.document)
    }

    /// A created resource, to be rendered at its lifecycle's current stage when read.
    init(kind: ResourceKind, id: String, created: Created) {
        self.kind = kind
        self.id = id
        self.created = created
        fixtureBody = nil
    }

    /// Its body now: a fixture's as loaded, a created resource's rendered at its stage.
    var body: SelfLinkedBody {
        if let fixtureBody { return fixtureBody }
        guard let created else { preconditionFailure("a fixture is rendered when loaded") }
        return SelfLinkedBody(document: created.record.document(id: id, lifecycle: created.lifecycle))
    }

    var isFixture: Bool { fixtureBody != nil }

    /// Changes a created resource. Fixtures are left alone.
    mutating func update(_ change: (inout Created) -> Void) {
        // In place: a copy would copy the record's box too, for every stage change of a replay.
        guard created != nil else { return }
        change(&created!)
    }

    /// Moves a created resource to `step` of its timeline, at `due`, if its record allows that
    /// stage then; returns its id and the stage, or nil (and nothing changes).
    mutating func reach(_ step: Int, at due: Timestamp) -> (id: String, stage: Stage)? {
        guard step < created?.lifecycle.timeline.count ?? 0, let stage = created?.lifecycle.timeline[step].stage,
              created?.record.allows(stage, at: due) == true else { return nil }
        created!.lifecycle.reach(step, at: due)
        return (id, stage)
    }

    /// The body as its client would GET it where it created it; nil for fixtures.
    func callbackBody(path: String) -> [UInt8]? {
        guard let origin = created?.origin else { return nil }
        return body.body(selfURL: origin.url + path)
    }
}
