/// Every resource a sandbox serves, fixtures and created, by kind and id, with the other ids
/// created ones can be found by (`recipient_reference`, `account_reference`) and the order they
/// were created in.
struct ResourceStore: Sendable {
    private var resources: [ResourceKey: StoredResource] = [:]
    /// (kind, lowercased reference) to the id it names.
    private var references: [ResourceKey: String] = [:]
    /// Every created resource's key, oldest first, across kinds.
    private var createdKeys: [ResourceKey] = []

    init(fixtures: [Scenario.Fixture] = []) {
        for fixture in fixtures {
            resources[ResourceKey(kind: fixture.kind, id: fixture.id)] = StoredResource(fixture: fixture)
        }
    }

    subscript(key: ResourceKey) -> StoredResource? { resources[key] }

    /// The body of the resource at `key`, rendered and kept if it was stale.
    mutating func body(_ key: ResourceKey) -> SelfLinkedBody? {
        guard let index = resources.index(forKey: key) else { return nil }
        if !resources.values[index].isRendered { resources.values[index].renderIfStale() }
        return resources.values[index].body
    }

    /// Renders and keeps every stale body.
    mutating func renderStale() {
        for key in createdKeys {
            guard let index = resources.index(forKey: key), !resources.values[index].isRendered else { continue }
            resources.values[index].renderIfStale()
        }
    }

    /// The resource of `kind` with this id, or else with this reference.
    func find(_ kind: ResourceKind, _ idOrReference: String) -> StoredResource? {
        let key = ResourceKey(kind: kind, id: idOrReference)
        if let byID = resources[key] { return byID }
        guard let id = references[key] else { return nil }
        return resources[ResourceKey(kind: kind, id: id)]
    }

    /// Makes room for `count` more created resources at once (a replay knows how many come).
    mutating func reserveCapacity(_ count: Int) {
        resources.reserveCapacity(resources.count + count)
        createdKeys.reserveCapacity(createdKeys.count + count)
    }

    /// Adds a created resource; it is found by its id and by its definition's references.
    mutating func insert(_ resource: StoredResource) {
        let key = ResourceKey(kind: resource.kind, id: resource.id)
        resources[key] = resource
        createdKeys.append(key)
        for reference in resource.created?.record.references ?? [] {
            references[ResourceKey(kind: resource.kind, id: reference)] = resource.id
        }
    }

    /// Changes a created resource in place (its body is rendered again); false if there is none.
    @discardableResult
    mutating func update(_ key: ResourceKey, _ change: (inout StoredResource.Created) -> Void) -> Bool {
        guard let index = resources.index(forKey: key), resources.values[index].created != nil else { return false }
        resources.values[index].update(change)
        return true
    }

    /// Moves the created resource at `key` to `step` of its timeline (`StoredResource.reach`),
    /// with one lookup; returns its id and the stage, or nil if nothing changed.
    mutating func reach(_ step: Int, of key: ResourceKey, at due: Timestamp) -> (id: String, stage: Stage)? {
        // Through the values view: the optional subscript would move the whole resource out and back.
        guard let index = resources.index(forKey: key) else { return nil }
        return resources.values[index].reach(step, at: due)
    }

    /// Whether the created resource at `key` names a callback URL (read in place).
    func hasCallbackURL(_ key: ResourceKey) -> Bool {
        guard let index = resources.index(forKey: key) else { return false }
        return resources.values[index].created?.record.callbackURL?.isEmpty == false
    }

    /// The created resources of `kind`, oldest first.
    func created(_ kind: ResourceKind) -> [StoredResource] {
        createdKeys.filter { $0.kind == kind }.compactMap { resources[$0] }
    }

    /// Every resource, in no particular order.
    var allResources: Dictionary<ResourceKey, StoredResource>.Values { resources.values }

    /// Every created resource, oldest first.
    var createdInOrder: [StoredResource] { createdKeys.compactMap { resources[$0] } }
}
