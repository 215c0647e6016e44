/// The keys of each mapping in a scenario file: the loader refuses any other, and the scenario
/// schema (`ScenarioSchema`) lists exactly these, so the two cannot drift apart.
public enum ScenarioKeys {
    /// Top-level keys this version understands.
    public static let topLevel = ["version", "seed", "clock", "credentials", "tokens", "fixtures", "timelines", "callbacks",
                                  "events", "faults", "expect"]
    public static let clock = ["mode", "start", "scale"]
    public static let credentials = ["client_id", "client_secret", "api_key", "token_ttl"]
    public static let tokens = ["value", "client_id", "expires_in"]
    public static let callbacks = ["timeout", "retry", "proxy"]
    public static let retry = ["attempts", "backoff"]
    public static let fault = ["match", "nth", "respond", "latency"]
    public static let faultMatch = ["method", "path"]
    public static let faultRespond = ["status", "body"]
    public static let expectation = ["requests", "callbacks", "count"]
    public static let expectedRequests = ["method", "path"]
    public static let expectedCallbacks = ["outcome", "kind", "url"]
    /// A delivery's deliberate misbehaviour (an event's or a rule's `delivery`).
    public static let delivery = ["delay", "duplicates", "bad_signature"]
    public static let event = ["at", "topic", "resource", "delivery"]
    public static let rule = ["match", "timeline", "delivery"]
    public static let step = ["after", "stage", "error"]
    /// `timelines`: one key per kind with stages, and `rules`.
    public static func timelines(_ kinds: KindRegistry) -> [String] { kinds.timelineKinds.map(\.rawValue) + ["rules"] }
    /// A rule's `match`: `resource`, and what rules can match on (each kind allows some).
    public static let ruleMatch = ["resource"] + RuleKey.allCases.map(\.rawValue)
    /// Values `expect.callbacks.outcome` and `.kind` take.
    public static let outcomes = ["pending", "delivered", "failed"]
    public static let deliveryKinds = ["callback", "webhook"]
}
