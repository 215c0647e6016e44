/// Which timeline a new resource follows: the first matching rule's, else its kind's default.
public struct Timelines: Sendable, Equatable {
    public var defaults: [ResourceKind: [TimelineStep]]
    public var rules: [TimelineRule]

    public init(defaults: [ResourceKind: [TimelineStep]] = Timelines.builtInDefaults, rules: [TimelineRule] = []) {
        self.defaults = defaults
        self.rules = rules
    }

    /// CONTRACT §6's timings: quick enough for an SDK's usual polling.
    public static let builtInDefaults: [ResourceKind: [TimelineStep]] = [
        .payment: [.init(after: .zero, stage: .pending), .init(after: .seconds(2), stage: .processed),
                   .init(after: .seconds(5), stage: .transferred)],
        .sendMoney: [.init(after: .zero, stage: .pending), .init(after: .seconds(2), stage: .processed),
                     .init(after: .seconds(5), stage: .transferred)],
        .incomingPayment: [.init(after: .zero, stage: .pending), .init(after: .seconds(5), stage: .success)],
        .settlementTransfer: [.init(after: .zero, stage: .pending), .init(after: .seconds(2), stage: .processed),
                              .init(after: .seconds(5), stage: .transferred)],
        .polling: [.init(after: .zero, stage: .pending), .init(after: .seconds(2), stage: .success)],
        .transactionSmsNotification: [.init(after: .zero, stage: .pending), .init(after: .seconds(2), stage: .success)],
        .reversal: [.init(after: .zero, stage: .pending), .init(after: .seconds(5), stage: .processed)],
        // Nobody pays a link unless a scenario rule says so.
        .paymentLink: [.init(after: .zero, stage: .pending)],
    ]

    public func timeline(for facts: MatchFacts) -> [TimelineStep] {
        plan(for: facts).timeline
    }

    /// The timeline, and how the resource's callback misbehaves (only rules set that).
    public func plan(for facts: MatchFacts) -> (timeline: [TimelineStep], quirks: DeliveryQuirks) {
        if let rule = rules.first(where: { $0.matches(facts) }) { return (rule.timeline, rule.quirks) }
        return (defaults[facts.kind] ?? Timelines.builtInDefaults[facts.kind] ?? [], DeliveryQuirks())
    }
}

/// A scenario rule: when a created resource's request matches, it follows `timeline`.
public struct TimelineRule: Sendable, Equatable {
    public var kind: ResourceKind
    /// In minor units (cents); matches if any amount of the request equals it.
    public var amountCents: Int64?
    /// Digits only, so `+254…` and `254…` match alike.
    public var phoneDigits: String?
    public var destinationType: String?
    public var tillNumber: String?
    /// Every pair must be present, with this string value, in the request's metadata.
    public var metadata: [String: String]
    public var timeline: [TimelineStep]
    /// How the callback of a matching resource misbehaves.
    public var quirks: DeliveryQuirks

    public init(kind: ResourceKind, amountCents: Int64? = nil, phoneDigits: String? = nil, destinationType: String? = nil,
                tillNumber: String? = nil, metadata: [String: String] = [:], timeline: [TimelineStep],
                quirks: DeliveryQuirks = DeliveryQuirks()) {
        self.quirks = quirks
        self.kind = kind
        self.amountCents = amountCents
        self.phoneDigits = phoneDigits
        self.destinationType = destinationType
        self.tillNumber = tillNumber
        self.metadata = metadata
        self.timeline = timeline
    }

    func matches(_ facts: MatchFacts) -> Bool {
        guard kind == facts.kind else { return false }
        if let amountCents, !facts.amountsCents.contains(amountCents) { return false }
        if let phoneDigits, !facts.phoneNumbers.contains(where: { digitsOnly($0) == phoneDigits }) { return false }
        if let destinationType, !facts.destinationTypes.contains(destinationType) { return false }
        if let tillNumber, facts.tillNumber != tillNumber { return false }
        for (key, value) in metadata where facts.metadata[key] != value { return false }
        return true
    }
}

/// What rules can look at in a create request.
public struct MatchFacts: Sendable {
    public var kind: ResourceKind
    public var amountsCents: [Int64] = []
    public var phoneNumbers: [String] = []
    public var destinationTypes: [String] = []
    public var tillNumber: String?
    public var metadata: [String: String] = [:]

    public init(kind: ResourceKind) { self.kind = kind }
}

func digitsOnly(_ text: String) -> String {
    String(text.unicodeScalars.filter { $0.properties.numericType != nil && $0.isASCII }.map(Character.init))
}
