/// Which timeline a new resource follows: the first matching rule's, else its kind's in the
/// scenario, else its kind's in the default scenario (`scenarios/default.yaml`, the one place
/// the shipped kinds' default timelines are written), else none: it stays where it starts.
public struct Timelines: Sendable, Equatable {
    /// Per kind, as the scenario's `timelines` gives them.
    public var defaults: [ResourceKind: [TimelineStep]]
    /// The scenario's `timelines.rules`, in order.
    public var rules: [TimelineRule]

    /// A scenario's per-kind timelines and rules.
    public init(defaults: [ResourceKind: [TimelineStep]] = [:], rules: [TimelineRule] = []) {
        self.defaults = defaults
        self.rules = rules
    }

    /// The timeline for a new resource of `kind` whose request shows `facts`, and which plan
    /// chose it (`quirks(of:)` and `chosenBy(_:kind:)` read the rest from it).
    public func plan(for kind: ResourceKind, _ facts: MatchFacts) -> (timeline: [TimelineStep], plan: TimelinePlanID) {
        if let index = rules.firstIndex(where: { $0.kind == kind && $0.matches(facts) }) {
            return (rules[index].timeline, .rule(Int32(index)))
        }
        if let timeline = defaults[kind] { return (timeline, .scenario) }
        return (DefaultScenario.timelines.defaults[kind] ?? [], .builtIn)
    }

    /// How the callback of a resource on `plan` misbehaves (only rules set that).
    public func quirks(of plan: TimelinePlanID) -> DeliveryQuirks {
        guard case .rule(let index) = plan, rules.indices.contains(Int(index)) else { return DeliveryQuirks() }
        return rules[Int(index)].quirks
    }

    /// What chose a `kind` resource's timeline, in words (`GET /__admin/explain`).
    public func chosenBy(_ plan: TimelinePlanID, kind: ResourceKind) -> String {
        switch plan {
        case .rule(let index) where rules.indices.contains(Int(index)):
            let rule = rules[Int(index)]
            let magic = rule.source?.hasPrefix(DefaultScenario.path + ":") == true
                ? ", a magic value of the default scenario (docs/scenarios.md#magic-values)" : ""
            return "the rule at \(rule.source ?? "the scenario"): \(rule.criteria)\(magic)"
        case .rule, .scenario: return "the scenario's timelines.\(kind)"
        case .builtIn: return "the default timeline of \(kind) (the default scenario's; the scenario sets none)"
        }
    }
}

/// Which of a scenario's timelines a created resource follows: its first matching rule (by
/// index), its kind's in the scenario, or its kind's in the default scenario. Five bytes per
/// resource where the words and quirks it stands for would be a string and more.
public enum TimelinePlanID: Sendable, Equatable {
    case rule(Int32)
    case scenario
    case builtIn
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
    /// Where it was written (`FILE:LINE`), for explanations.
    public var source: String?

    /// What it matches on, in words: `match amount 404`.
    public var criteria: String {
        var parts: [String] = ["resource \(kind)"]
        if let amountCents { parts.append("amount \(Money(cents: amountCents).valueJSON.compactString.replacingQuotes)") }
        if let phoneDigits { parts.append("phone_number \(phoneDigits)") }
        if let destinationType { parts.append("destination_type \(destinationType)") }
        if let tillNumber { parts.append("till_number \(tillNumber)") }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { parts.append("metadata.\(key) \(value)") }
        return "match " + parts.joined(separator: ", ")
    }

    /// A rule for `kind`; every criterion given must match.
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
        if let amountCents, !facts.amountsCents.contains(amountCents) { return false }
        // Requests echo phones as written: `+254…`, `254…` and `07…` are one number here.
        if let phoneDigits, !facts.phoneNumbers.contains(where: { digitsOnly(normalizedKenyanPhone($0) ?? $0) == phoneDigits }) {
            return false
        }
        if let destinationType, !facts.destinationTypes.contains(destinationType) { return false }
        if let tillNumber, facts.tillNumber != tillNumber { return false }
        for (key, value) in metadata where facts.metadata[key] != value { return false }
        return true
    }
}

/// What rules can look at in a create request (its kind's `facts`).
public struct MatchFacts: Sendable {
    public var amountsCents: [Int64]
    public var phoneNumbers: [String]
    public var destinationTypes: [String]
    public var tillNumber: String?
    public var metadata: [String: String]

    /// What a create request shows; a kind fills in what it has.
    public init(amountsCents: [Int64] = [], phoneNumbers: [String] = [], destinationTypes: [String] = [],
                tillNumber: String? = nil, metadata: [String: String] = [:]) {
        self.amountsCents = amountsCents
        self.phoneNumbers = phoneNumbers
        self.destinationTypes = destinationTypes
        self.tillNumber = tillNumber
        self.metadata = metadata
    }
}

func digitsOnly(_ text: String) -> String {
    String(text.unicodeScalars.filter { $0.properties.numericType != nil && $0.isASCII }.map(Character.init))
}

import OrderedJSON

extension JSONObject {
    /// The members whose values are strings (or numbers, as text): what rules match on.
    public var stringValues: [String: String] {
        var result: [String: String] = [:]
        for member in members {
            switch member.value {
            case .string(let value): result[member.key] = value
            case .number(let lexeme): result[member.key] = lexeme
            default: continue
            }
        }
        return result
    }
}

extension String {
    /// Without its double quotes (a JSON string's text as a sentence shows it).
    var replacingQuotes: String { filter { $0 != "\"" } }
}
