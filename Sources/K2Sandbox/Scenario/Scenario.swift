import OrderedJSON

/// Everything a sandbox starts from: parsed and checked from a scenario file (or the built-in
/// default), immutable once loaded.
public struct Scenario: Sendable {
    /// Where it came from, for messages (`<built-in default>` for the default).
    public var source: String
    public var seed: UInt64?
    public var clock: ClockSettings
    public var credentials: [ClientCredentials]
    public var tokens: [PreissuedToken]
    public var fixtures: [Fixture]
    /// The timeline each created resource follows.
    public var timelines: Timelines
    /// How callbacks are delivered and retried.
    public var callbacks: CallbackSettings
    /// Webhook events fired at offsets from the start.
    public var events: [ScriptedEvent] = []
    /// Scripted misbehaviour of the API.
    public var faults: [Fault] = []
    /// What `k2mock verify` checks.
    public var expectations: [Expectation] = []
    /// The resource kinds it serves (`KindRegistry.standard` unless a test adds one).
    public var kinds: KindRegistry = .standard

    /// A scenario built in code (tests); files go through `ScenarioLoader`.
    public init(
        source: String, seed: UInt64? = nil, clock: ClockSettings = ClockSettings(),
        credentials: [ClientCredentials] = [], tokens: [PreissuedToken] = [], fixtures: [Fixture] = [],
        timelines: Timelines = Timelines(), callbacks: CallbackSettings = CallbackSettings()
    ) {
        self.source = source
        self.seed = seed
        self.clock = clock
        self.credentials = credentials
        self.tokens = tokens
        self.fixtures = fixtures
        self.timelines = timelines
        self.callbacks = callbacks
    }

    /// The scenario's `clock`.
    public struct ClockSettings: Sendable, Equatable {
        public var mode: ClockMode
        /// nil: on a manual clock `Sandbox.manualClockStart`; on a real clock the wall time when
        /// the sandbox starts (so not reproducible).
        public var start: Timestamp?
        public var scale: Double

        /// A real clock at wall time, unscaled, by default.
        public init(mode: ClockMode = .real, start: Timestamp? = nil, scale: Double = 1) {
            self.mode = mode
            self.start = start
            self.scale = scale
        }
    }

    /// A bearer token that exists from the start.
    public struct PreissuedToken: Sendable, Equatable {
        public var value: String
        public var clientID: String
        /// nil: never expires.
        public var expiresIn: TimeSpan?

        /// A token for `clientID`; `expiresIn` (sandbox time after the start) nil: never.
        public init(value: String, clientID: String, expiresIn: TimeSpan? = nil) {
            self.value = value
            self.clientID = clientID
            self.expiresIn = expiresIn
        }
    }

    /// A resource that exists from the start, served as its file says.
    public struct Fixture: Sendable, Equatable {
        public var path: String
        public var kind: ResourceKind
        public var id: String
        /// The whole `{"data":...}` document, key order and number forms as in the file.
        public var document: JSON

        /// A fixture already read.
        public init(path: String, kind: ResourceKind, id: String, document: JSON) {
            self.path = path
            self.kind = kind
            self.id = id
            self.document = document
        }

        /// Reads a fixture document whose `data.type` is one of `kinds`; the message says what
        /// is wrong with it.
        public init(path: String, bytes: [UInt8], kinds: KindRegistry = .standard) throws(FixtureError) {
            let document: JSON
            do {
                document = try JSON.parse(bytes)
            } catch {
                throw FixtureError(message: "is not valid JSON: \(error)")
            }
            guard let data = document["data"]?.objectValue else {
                throw FixtureError(message: "has no \"data\" object")
            }
            guard let id = data["id"]?.stringValue, !id.isEmpty else {
                throw FixtureError(message: "has no string \"data.id\"")
            }
            guard let typeName = data["type"]?.stringValue, kinds.definition(of: ResourceKind(typeName)) != nil else {
                let known = kinds.definitions.map { $0.kind.rawValue }.joined(separator: ", ")
                throw FixtureError(message: "\"data.type\" must be one of: \(known)")
            }
            guard data["attributes"]?.objectValue != nil else {
                throw FixtureError(message: "has no \"data.attributes\" object")
            }
            self.init(path: path, kind: ResourceKind(typeName), id: id, document: document)
        }
    }

    /// Why a fixture file was refused.
    public struct FixtureError: Error, Sendable {
        public var message: String
    }
}
