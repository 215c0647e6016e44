import OrderedJSON

/// Creating resources and acting on them; runs under the sandbox's lock.
extension SandboxState {
    /// Creates a resource of `definition`'s kind from a create request's JSON body, for the
    /// client and origin in `origin`; returns its id. A refused request (`RequestError`)
    /// changes nothing, not even the id streams.
    mutating func create(_ definition: any ResourceDefinition.Type, body: JSONObject, origin: Origin) throws(RequestError) -> String {
        let now = clock.now()
        let id: String
        let record: any ResourceDefinition
        do {
            // The context lends the stores; it is gone before they change, so nothing is copied.
            // The string pool moves in and back (whether or not the request is refused): held
            // twice, the first string added would copy the whole set.
            var context = CreationContext(now: now, ids: ids, store: store, transactions: transactions, kinds: kinds,
                                          strings: strings)
            strings = StringPool()
            defer { strings = context.strings }
            id = context.uuid()
            record = try definition.init(request: body, context: &context)
            ids = context.ids
        }
        let kind = definition.kind
        var plan: (timeline: [TimelineStep], plan: TimelinePlanID) = ([], .builtIn)
        if !definition.stages.isEmpty { plan = timelines.plan(for: kind, record.facts) }
        var lifecycle = Lifecycle(createdAt: now, timeline: plan.timeline, initial: definition.stages.first)
        var later: [(step: Int, due: Timestamp)] = []
        for (index, step) in plan.timeline.enumerated() {
            if step.after.milliseconds == 0 {
                lifecycle.reach(index, at: now)
            } else {
                later.append((index, now + step.after))
            }
        }
        let resource = StoredResource(kind: kind, id: id, created: .init(
            record: record, lifecycle: lifecycle, origin: intern(origin), plan: plan.plan))
        let slot = store.insert(resource)
        for (step, due) in later { timeline.schedule(.stageChange(slot: slot, step: Int32(step)), at: due) }
        unpublished.append(.resource(kind: kind, id: id, stage: lifecycle.stage, at: now))
        if let stage = lifecycle.stage, definition.finalStages.contains(stage) { queueCallback(for: resource, at: now) }
        return id
    }

    /// Performs `action` on the created resource `kind`/`id`; nil when there is none.
    mutating func perform(_ action: ResourceAction, on kind: ResourceKind, id: String) -> ActionOutcome? {
        let now = clock.now()
        var outcome: ActionOutcome?
        let changed = store.update(ResourceKey(kind: kind, id: id)) { created in
            outcome = action.perform(&created.record, created.lifecycle, now)
        }
        if changed, let resource = store[ResourceKey(kind: kind, id: id)] {
            unpublished.append(.resource(kind: kind, id: resource.id, stage: resource.created?.lifecycle.stage, at: now))
        }
        return outcome
    }

    /// Journals the resource's callback, if it has a url, and schedules its first attempt: its
    /// body as its client would GET it, signed with that client's api key.
    mutating func queueCallback(for resource: StoredResource, at due: Timestamp) {
        guard let created = resource.created, let url = created.record.callbackURL, !url.isEmpty,
              let apiKey = apiKeys[created.origin.clientID], let definition = kinds.definition(of: resource.kind),
              let body = resource.callbackBody(path: definition.path(id: resource.id, version: created.origin.version))
        else { return }
        let quirks = timelines.quirks(of: created.plan)
        let added = deliveries.add(.callback, subject: resource.kind.rawValue, subjectID: resource.id, url: url, body: body,
                                 apiKey: apiKey, at: due, quirks: quirks)
        for id in added {
            timeline.schedule(.attempt(deliveryID: id), at: due + quirks.delay)
            unpublished.append(.delivery(id: id, outcome: .pending, attempts: 0))
        }
    }

    /// The one `Origin` object for `origin`'s url, version and client: resources created from
    /// one app share it.
    mutating func intern(_ origin: Origin) -> Origin {
        origins.insert(origin).memberAfterInsert
    }
}
