/// Something that happened on the timeline, as `clock/advance` reports it.
public enum Occurrence: Sendable {
    /// A resource reached a stage.
    case stageChange(StageChange)
    /// A webhook event fired, making its deliveries.
    case event(FiredEvent)
    /// A delivery attempt was made, and how it went.
    case attempt(DeliveryJob, DeliveryResult)
}

/// A resource reaching a stage, at its due time (sandbox time).
public struct StageChange: Sendable, Equatable {
    public var at: Timestamp
    public var kind: ResourceKind
    public var id: String
    public var stage: Stage
}

/// A webhook event that fired, and the deliveries it made (one per matching subscription,
/// more with duplicates).
public struct FiredEvent: Sendable, Equatable {
    /// Sandbox time it fired.
    public var at: Timestamp
    public var topic: WebhookTopic
    public var id: String
    public var deliveryIDs: [Int]
}
