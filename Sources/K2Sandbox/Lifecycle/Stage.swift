/// A step of a resource's life (CONTRACT §3), by the name scenarios and `clock/advance` use.
/// Which stages a kind passes through, and which end it, is its definition's to say.
public struct Stage: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    /// The stage of that name (`Pending`).
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let pending = Stage(rawValue: "Pending")
    public static let processed = Stage(rawValue: "Processed")
    public static let transferred = Stage(rawValue: "Transferred")
    public static let success = Stage(rawValue: "Success")
    /// The one stage a timeline step may give an `error` (the failure reason) for.
    public static let failed = Stage(rawValue: "Failed")
    /// A payment link a customer paid.
    public static let paid = Stage(rawValue: "Paid")
}

/// One step of a timeline: reach `stage` this long (sandbox time) after the resource was created.
public struct TimelineStep: Sendable, Equatable {
    public var after: TimeSpan
    public var stage: Stage
    /// The failure reason a `Failed` stage reports.
    public var error: String?

    /// Reach `stage` `after` creation; `error` only for `Failed`.
    public init(after: TimeSpan, stage: Stage, error: String? = nil) {
        self.after = after
        self.stage = stage
        self.error = error
    }
}
