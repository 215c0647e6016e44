/// One stored resource as it stands, for listing (`Sandbox.resources()`, `GET /__admin/resources`).
public struct ResourceSnapshot: Sendable {
    public let kind: ResourceKind
    public let id: String
    /// Its current stage; nil for fixtures and for kinds without stages.
    public let stage: Stage?
    /// Sandbox time of its creation; nil for fixtures (loaded, not created).
    public let createdAt: Timestamp?
    /// Its timeline, one entry per step: the stage, and when it was reached or is due (sandbox
    /// time). Empty for fixtures and kinds without stages.
    public let steps: [Step]
    /// The path its client GETs it at (`/api/vN/<collection>/<id>`), in the API version it was
    /// created with, else the newest that serves its kind.
    public let path: String
    let rendered: SelfLinkedBody
    /// The client that created it (whose api key signs its callback); nil for fixtures.
    public let clientID: String?
    /// What chose its timeline, in words; nil for fixtures and kinds without stages.
    public let timelineChosenBy: String?
    /// Its `_links.callback_url`; nil when it has none.
    public let callbackURL: String?
    /// How its callback misbehaves on purpose (its timeline rule's `delivery`).
    public let deliveryQuirks: DeliveryQuirks

    public var isFixture: Bool { createdAt == nil }

    /// A step of a resource's timeline.
    public struct Step: Sendable, Equatable {
        public let stage: Stage
        /// When it was reached, or when it is due if it was not.
        public let at: Timestamp
        public let reached: Bool
    }

    /// Its body as `GET <origin><path>` answers it (the same bytes).
    public func body(origin: String) -> [UInt8] {
        rendered.body(selfURL: origin + path)
    }
}

extension ResourceStore {
    /// Every resource: fixtures first (by kind, then id), then created ones, oldest first.
    /// Bodies not kept are rendered for the listing and not kept (a listing of a million would
    /// push out the bodies polling apps read).
    func snapshots(kinds: KindRegistry, timelines: Timelines) -> [ResourceSnapshot] {
        func order(_ slot: Int) -> (String, String) { (self[Slot(slot)].kind.rawValue, self[Slot(slot)].id) }
        let fixtures = (0..<fixtureCount).sorted { order($0) < order($1) }
        return (fixtures + Array(fixtureCount..<count)).compactMap { snapshot(at: Slot($0), kinds: kinds, timelines: timelines) }
    }

    /// The resource with this id (compared case-insensitively), of whichever kind has it:
    /// one lookup per kind, nothing else rendered.
    func snapshot(id: String, kinds: KindRegistry, timelines: Timelines) -> ResourceSnapshot? {
        for definition in kinds.definitions {
            if let slot = slot(of: ResourceKey(kind: definition.kind, id: id)) {
                return snapshot(at: slot, kinds: kinds, timelines: timelines)
            }
        }
        return nil
    }

    private func snapshot(at slot: Slot, kinds: KindRegistry, timelines: Timelines) -> ResourceSnapshot? {
        let resource = self[slot]
        guard let definition = kinds.definition(of: resource.kind) else { return nil }
        let version = resource.created?.origin.version ?? definition.versions.last ?? 1
        let lifecycle = resource.created?.lifecycle
        let steps = (lifecycle?.steps ?? []).map { entry in
            ResourceSnapshot.Step(stage: entry.step.stage, at: entry.reachedAt ?? lifecycle!.createdAt + entry.step.after,
                                  reached: entry.reachedAt != nil)
        }
        let created = resource.created
        return ResourceSnapshot(kind: resource.kind, id: resource.id, stage: lifecycle?.stage, createdAt: lifecycle?.createdAt,
                                steps: steps, path: definition.path(id: resource.id, version: version),
                                rendered: keptBody(at: slot) ?? resource.body,
                                clientID: created?.origin.clientID,
                                timelineChosenBy: definition.stages.isEmpty ? nil
                                    : created.map { timelines.chosenBy($0.plan, kind: resource.kind) },
                                callbackURL: created?.record.callbackURL,
                                deliveryQuirks: created.map { timelines.quirks(of: $0.plan) } ?? DeliveryQuirks())
    }
}
