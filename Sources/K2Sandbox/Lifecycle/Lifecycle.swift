/// Where a created resource is on its timeline: the steps it follows and when each was reached.
public struct Lifecycle: Sendable {
    /// Sandbox time of its creation.
    public let createdAt: Timestamp
    public let timeline: [TimelineStep]
    /// The stage before any step is reached (its kind's first); nil for kinds without stages.
    let initial: Stage?
    /// Index into `timeline` of the step reached last; -1 before the first.
    private(set) var reached = -1
    /// When each reached step was reached (allocated at the first: a pending payment keeps none).
    private(set) var reachedAt: [Timestamp] = []

    /// A lifecycle with no step reached yet, at `initial` (its kind's first stage).
    public init(createdAt: Timestamp, timeline: [TimelineStep], initial: Stage?) {
        self.createdAt = createdAt
        self.timeline = timeline
        self.initial = initial
    }

    /// The stage reached last; nil for kinds without stages.
    public var stage: Stage? { reached >= 0 ? timeline[reached].stage : initial }

    /// The failure reason while `Failed`: the step's `error`, else "The transaction failed".
    public var failure: String? {
        guard stage == .failed else { return nil }
        return (reached >= 0 ? timeline[reached].error : nil) ?? "The transaction failed"
    }

    /// Each step of its timeline with when it was reached; nil for steps not reached (yet).
    public var steps: [(step: TimelineStep, reachedAt: Timestamp?)] {
        timeline.indices.map { index in (timeline[index], index <= reached ? reachedAt[index] : nil) }
    }

    /// When `stage` was last entered, if it was.
    public func time(of stage: Stage) -> Timestamp? {
        guard reached >= 0 else { return nil }
        for index in stride(from: reached, through: 0, by: -1) where timeline[index].stage == stage {
            return reachedAt[index]
        }
        return nil
    }

    /// Marks step `index` reached at `time` (steps skipped on the way count as reached then too).
    mutating func reach(_ index: Int, at time: Timestamp) {
        if reachedAt.isEmpty { reachedAt.reserveCapacity(timeline.count) }
        while reachedAt.count < index { reachedAt.append(time) }
        reachedAt.append(time)
        reached = index
    }
}
