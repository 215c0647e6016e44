import OrderedJSON

/// A kind of K2 resource, by the name its `data.type` gives it (`payment`, `send_money`).
public struct ResourceKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    /// The kind whose `data.type` is `rawValue`.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The kind whose `data.type` is `name`.
    public init(_ name: String) { self.rawValue = name }
    public var description: String { rawValue }
}

/// Everything particular to one kind of K2 resource (k2-api.md §5), in one type under
/// `Kinds/`, listed once in `KindRegistry.standard`. The router, the store, the lifecycle engine
/// and the scenario loader read these members and nothing else about a kind.
///
/// A value of the type is one created resource: what its create request said, validated, and
/// the values drawn for it when it was made (drawing them up front keeps later stage changes
/// from depending on how requests interleave). Fixtures have no such value: they are served as
/// loaded.
public protocol ResourceDefinition: Sendable {
    /// `data.type`.
    static var kind: ResourceKind { get }
    /// The path segment after `/api/vN/` (`payments`).
    static var collection: String { get }
    /// API versions whose `GET /api/vN/<collection>/:id` serves it (k2-api.md §4).
    static var versions: [Int] { get }
    /// API versions whose `POST /api/vN/<collection>` creates it; empty: fixtures only.
    static var createVersions: [Int] { get }
    /// Its stages in the order of its life; the first is where a new one starts. Empty: it has
    /// no timeline (approved at once).
    static var stages: [Stage] { get }
    /// The stages that end its timeline; reaching one fires its callback (if it has a url).
    static var finalStages: Set<Stage> { get }
    /// Which `match:` keys a scenario's timeline rule may use for it.
    static var ruleKeys: Set<RuleKey> { get }
    /// Requests on one resource besides GET: `POST /api/vN/<collection>/:id/<name>`.
    static var actions: [ResourceAction] { get }
    /// A sentence for the README's table of kinds: what it is, how it is created, what its body
    /// shows along its stages.
    static var summary: String { get }
    /// Its create request's JSON Schema, for the OpenAPI document: written beside the reader
    /// (`init(request:context:)`) so that the two change together.
    static var requestSchema: JSON { get }
    /// A create request it accepts, for the OpenAPI document's examples.
    static var requestExample: JSON { get }

    /// Reads and validates a create request's JSON body, looks up what it refers to and draws
    /// its values from `context`. Throws `RequestError` (K2 answers `400` with its message).
    init(request body: JSONObject, context: inout CreationContext) throws(RequestError)

    /// What timeline rules match on (only the keys of `ruleKeys` are read).
    var facts: MatchFacts { get }
    /// `_links.callback_url`: where its result is POSTed when it reaches a final stage.
    var callbackURL: String? { get }
    /// Other ids it can be found by (`recipient_reference`, `account_reference`), lowercased.
    var references: [String] { get }
    /// Its `{"data":{"id","type","attributes"}}` document at the lifecycle's current stage;
    /// `_links.self` is set when it is served.
    func document(id: String, lifecycle: Lifecycle) -> JSON
    /// Whether it may still reach `stage` at sandbox time `time` (a cancelled payment link is
    /// never paid); true unless a kind says otherwise.
    func allows(_ stage: Stage, at time: Timestamp) -> Bool
}

extension ResourceDefinition {
    public static var createVersions: [Int] { versions }
    public static var requestSchema: JSON { Schema.anyObject }
    public static var requestExample: JSON { [:] }
    public static var stages: [Stage] { [] }
    public static var finalStages: Set<Stage> { [] }
    public static var ruleKeys: Set<RuleKey> { [] }
    public static var actions: [ResourceAction] { [] }
    public var facts: MatchFacts { MatchFacts() }
    public var callbackURL: String? { nil }
    public var references: [String] { [] }
    public func allows(_ stage: Stage, at time: Timestamp) -> Bool { true }

    /// `{"data":{"id","type","attributes"}}` with `attributes` encoded in declaration order.
    public static func document(id: String, attributes: some Encodable & Sendable) -> JSON {
        (try? OrderedJSONEncoder().encode(ResourceDocument(id: id, type: kind.rawValue, attributes: attributes))) ?? .null
    }
}

/// A key a timeline rule's `match:` may use (docs/scenarios.md, rules).
public enum RuleKey: String, Sendable, CaseIterable {
    /// Any amount of the request, in minor units.
    case amount
    /// Any phone number of the request, digits compared.
    case phoneNumber = "phone_number"
    case destinationType = "destination_type"
    case tillNumber = "till_number"
    /// Every given key with that string value in the request's metadata.
    case metadata
}

/// A request on one existing resource (`POST /api/v2/payment_links/:id/cancel`).
public struct ResourceAction: Sendable {
    /// The path segment after the id.
    public var name: String
    /// Which API versions serve it.
    public var versions: [Int]
    /// Changes the resource (a value of the kind's type) at sandbox time `now` and says how to
    /// answer. The body is re-rendered afterwards.
    public var perform: @Sendable (_ record: inout any ResourceDefinition, _ lifecycle: Lifecycle, _ now: Timestamp) -> ActionOutcome

    /// An action named `name` under the API versions `versions`.
    public init(name: String, versions: [Int],
                perform: @escaping @Sendable (inout any ResourceDefinition, Lifecycle, Timestamp) -> ActionOutcome) {
        self.name = name
        self.versions = versions
        self.perform = perform
    }
}

/// How an action went: answered with a status and body, or refused with K2's error message.
public enum ActionOutcome: Sendable, Equatable {
    case answered(status: Int, body: JSON)
    case refused(status: Int, message: String)
}

/// Why a create request was refused: K2 answers these with 400 and the message.
public struct RequestError: Error, Sendable, Equatable {
    public var message: String
    /// `message` is what K2's error body says.
    public init(_ message: String) { self.message = message }
}
