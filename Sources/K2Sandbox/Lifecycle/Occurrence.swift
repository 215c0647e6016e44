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

/// What an advance of the clock did.
public struct Advance: Sendable {
    /// What happened, in order.
    public var happened: [Occurrence]
    /// Set when the transport stopped (k2mock is stopping) before everything due had run: the
    /// due time (sandbox time) of the attempt it could not make; that and what follows stay due.
    public var stoppedShortAt: Timestamp?

    public init(happened: [Occurrence], stoppedShortAt: Timestamp? = nil) {
        self.happened = happened
        self.stoppedShortAt = stoppedShortAt
    }
}
