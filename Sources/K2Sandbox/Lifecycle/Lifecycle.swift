/// Where a created resource is on its timeline.
struct Lifecycle: Sendable {
    let createdAt: Timestamp
    let timeline: [TimelineStep]
    /// Index into `timeline` of the step reached last; -1 before the first.
    private(set) var reached = -1
    /// When each reached step was reached.
    private(set) var reachedAt: [Timestamp] = []

    init(createdAt: Timestamp, timeline: [TimelineStep]) {
        self.createdAt = createdAt
        self.timeline = timeline
    }

    var stage: Stage { reached >= 0 ? timeline[reached].stage : .pending }
    var failure: String? { reached >= 0 ? timeline[reached].error : nil }

    /// When `stage` was last entered, if it was.
    func time(of stage: Stage) -> Timestamp? {
        guard reached >= 0 else { return nil }
        for index in stride(from: reached, through: 0, by: -1) where timeline[index].stage == stage {
            return reachedAt[index]
        }
        return nil
    }

    mutating func reach(_ index: Int, at time: Timestamp) {
        while reachedAt.count < index { reachedAt.append(time) }
        reachedAt.append(time)
        reached = index
    }
}

/// A stage change, as `clock/advance` reports what ran.
public struct Transition: Sendable, Equatable {
    public var at: Timestamp
    public var kind: ResourceKind
    public var id: String
    public var stage: Stage
}
