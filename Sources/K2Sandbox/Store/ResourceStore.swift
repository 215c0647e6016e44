/// Every resource a sandbox serves, fixtures and created, by kind and id, with the other ids
/// created ones can be found by (`recipient_reference`, `account_reference`) and the order they
/// were created in.
///
/// Resources sit in one array, fixtures first and then created ones oldest first; a resource's
/// place there (its slot) never changes, so the timeline names it by slot (four bytes, not its
/// kind and id). Measured with a million payments (`bench/payments.sh`): a dictionary of whole
/// resources kept up to twice their size in empty buckets.
struct ResourceStore: Sendable {
    /// A resource's place in the store.
    typealias Slot = Int32

    private var slots: [StoredResource] = []
    private(set) var fixtureCount = 0
    /// Each resource's slot by kind and id.
    private var index: [ResourceKey: Slot] = [:]
    /// (kind, lowercased reference) to the id it names.
    private var references: [ResourceKey: String] = [:]
    /// Bodies of created resources rendered since they last changed: the latest `cacheLimit`,
    /// so an app polling its recent payments reads kept bytes, and a million stored payments
    /// do not keep a million bodies.
    private var rendered: [Slot: Kept] = [:]
    /// The slots in `rendered`, by when they were added, in a ring.
    private var renderedRing: [Slot] = []
    private var renderedNext = 0
    static let cacheLimit = 4096

    /// A kept body and its place in the ring: a slot whose body was dropped (its resource
    /// changed) and kept again sits in the ring twice, and only its newer place may evict it.
    private struct Kept: Sendable {
        let body: SelfLinkedBody
        let position: Int
    }

    init(fixtures: [Scenario.Fixture] = []) {
        for fixture in fixtures {
            let key = ResourceKey(kind: fixture.kind, id: fixture.id)
            if let slot = index[key] {
                slots[Int(slot)] = StoredResource(fixture: fixture)
            } else {
                index[key] = Slot(slots.count)
                slots.append(StoredResource(fixture: fixture))
            }
        }
        fixtureCount = slots.count
    }

    subscript(key: ResourceKey) -> StoredResource? { index[key].map { slots[Int($0)] } }

    subscript(slot: Slot) -> StoredResource { slots[Int(slot)] }

    func slot(of key: ResourceKey) -> Slot? { index[key] }

    /// The body of the resource at `key`: a fixture's, or a created one's, rendered if it was
    /// not kept and then kept.
    mutating func body(_ key: ResourceKey) -> SelfLinkedBody? {
        guard let slot = index[key] else { return nil }
        // Only the body is copied out: every GET of a fixture reads it.
        if let fixture = slots[Int(slot)].fixtureBody { return fixture }
        if let kept = rendered[slot] { return kept.body }
        let body = slots[Int(slot)].body
        keep(body, for: slot)
        return body
    }

    /// The body kept for the created resource at `key`, if one is; nil for fixtures.
    func keptBody(_ key: ResourceKey) -> SelfLinkedBody? {
        index[key].flatMap(keptBody(at:))
    }

    /// The body kept for the created resource in `slot`, if one is.
    func keptBody(at slot: Slot) -> SelfLinkedBody? { rendered[slot]?.body }

    /// How many resources the store holds, fixtures included (slots run from 0 to this).
    var count: Int { slots.count }

    /// How many created resources' bodies are kept now.
    var keptBodies: Int { rendered.count }

    private mutating func keep(_ body: SelfLinkedBody, for slot: Slot) {
        let position: Int
        if renderedRing.count < Self.cacheLimit {
            position = renderedRing.count
            renderedRing.append(slot)
        } else {
            // The oldest place goes, and its body with it if that body was kept there.
            position = renderedNext
            let oldest = renderedRing[position]
            if rendered[oldest]?.position == position { rendered[oldest] = nil }
            renderedRing[position] = slot
            renderedNext = (renderedNext + 1) % Self.cacheLimit
        }
        rendered[slot] = Kept(body: body, position: position)
    }

    /// The resource of `kind` with this id, or else with this reference.
    func find(_ kind: ResourceKind, _ idOrReference: String) -> StoredResource? {
        let key = ResourceKey(kind: kind, id: idOrReference)
        if let byID = self[key] { return byID }
        guard let id = references[key] else { return nil }
        return self[ResourceKey(kind: kind, id: id)]
    }

    /// Makes room for `count` more created resources at once (a replay knows how many come).
    mutating func reserveCapacity(_ count: Int) {
        index.reserveCapacity(index.count + count)
        slots.reserveCapacity(slots.count + count)
    }

    /// Adds a created resource; it is found by its id and by its definition's references.
    /// Returns its slot.
    @discardableResult
    mutating func insert(_ resource: StoredResource) -> Slot {
        let key = ResourceKey(kind: resource.kind, id: resource.id)
        let slot = Slot(slots.count)
        if let old = index.updateValue(slot, forKey: key) { rendered[old] = nil }
        slots.append(resource)
        for reference in resource.created?.record.references ?? [] {
            references[ResourceKey(kind: resource.kind, id: reference)] = resource.id
        }
        return slot
    }

    /// Changes a created resource in place (its body is rendered again); false if there is none.
    @discardableResult
    mutating func update(_ key: ResourceKey, _ change: (inout StoredResource.Created) -> Void) -> Bool {
        guard let slot = index[key], !slots[Int(slot)].isFixture else { return false }
        slots[Int(slot)].update(change)
        rendered[slot] = nil
        return true
    }

    /// Moves the created resource in `slot` to `step` of its timeline (`StoredResource.reach`);
    /// returns its id and the stage, or nil if nothing changed.
    mutating func reach(_ step: Int, of slot: Slot, at due: Timestamp) -> (id: String, stage: Stage)? {
        guard Int(slot) < slots.count, let reached = slots[Int(slot)].reach(step, at: due) else { return nil }
        rendered[slot] = nil
        return reached
    }

    /// The created resources of `kind`, oldest first.
    func created(_ kind: ResourceKind) -> [StoredResource] {
        slots[fixtureCount...].filter { $0.kind == kind }
    }

    /// Every created resource, oldest first.
    var createdInOrder: ArraySlice<StoredResource> { slots[fixtureCount...] }
}
