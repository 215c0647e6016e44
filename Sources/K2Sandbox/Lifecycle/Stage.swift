/// A step of a resource's life (CONTRACT §3). Which stages a kind can pass through, and which
/// end it, is a table here; the engine knows nothing else about kinds.
public enum Stage: String, Sendable, CaseIterable {
    case pending = "Pending"
    case processed = "Processed"
    case transferred = "Transferred"
    case success = "Success"
    case failed = "Failed"
    /// A payment link a customer paid.
    case paid = "Paid"

    /// The stages a kind may use in a timeline; empty for kinds without a lifecycle.
    public static func allowed(for kind: ResourceKind) -> [Stage] {
        switch kind {
        case .payment, .sendMoney, .settlementTransfer: [.pending, .processed, .transferred, .failed]
        case .incomingPayment, .polling, .transactionSmsNotification: [.pending, .success, .failed]
        case .reversal: [.pending, .processed, .failed]
        case .paymentLink: [.pending, .paid]
        default: []
        }
    }

    /// Reaching a final stage ends the timeline and fires the callback. For most kinds
    /// `Processed` is a way station; a reversal ends there.
    public func isFinal(for kind: ResourceKind) -> Bool {
        switch self {
        case .transferred, .success, .failed, .paid: true
        case .processed: kind == .reversal
        case .pending: false
        }
    }
}

/// One step of a timeline: reach `stage` this long after the resource was created.
public struct TimelineStep: Sendable, Equatable {
    public var after: TimeSpan
    public var stage: Stage
    /// The failure reason a `Failed` stage reports.
    public var error: String?

    public init(after: TimeSpan, stage: Stage, error: String? = nil) {
        self.after = after
        self.stage = stage
        self.error = error
    }
}
