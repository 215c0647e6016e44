/// Everything that changes while a sandbox runs, one part per concern. The `Sandbox` owns it
/// behind one lock; the extensions that work across parts (`+Create`, `+Timeline`, `+Webhooks`)
/// run under that lock.
struct SandboxState: Sendable {
    /// Sandbox time.
    var clock: SandboxClock
    /// The id, reference and token streams.
    var ids: IdentifierSource
    var tokens: TokenStore
    var store: ResourceStore
    /// Everything due later: stage changes, scripted events, delivery attempts.
    var timeline = Timeline()
    var deliveries: DeliveryBook
    /// Buygoods transactions received, for polling.
    var transactions = TransactionLog()
    /// Every webhook event fired, so its links resolve.
    var events = EventLog()
    var requests = RequestJournal()
    /// What `GET /__admin/transcript` tells, live only (never replayed).
    var transcript = TranscriptLog()
    var faults: FaultBook
    /// Incremented by every reset; attempts in flight across one are not recorded.
    var epoch = 0
    /// Changes not yet told to the change feed; the sandbox takes them after each section.
    var unpublished: [SandboxChange] = []
    /// A command scheduled something due sooner than anything before (a real clock's sender is
    /// woken once the lock is released).
    var soonerDue = false
    /// Strings created resources repeat (`CreationContext.shared`).
    var strings = StringPool()
    /// Every distinct origin resources were created from (`intern`).
    var origins: Set<Origin> = []
    /// Delivery attempts taken to send whose end is not recorded yet, oldest first.
    var inFlight: [DeliveryJob] = []

    /// From the scenario, fixed for the sandbox's life.
    let kinds: KindRegistry
    let timelines: Timelines
    /// The scenario's clients by id.
    let clients: [String: ClientCredentials]
    /// Each client's api key, which signs its callbacks and webhook events.
    let apiKeys: [String: String]

    /// The state a scenario starts in, its clock reading `start`.
    init(scenario: Scenario, start: Timestamp, monotonic: @escaping @Sendable () -> UInt64) {
        clock = SandboxClock(mode: scenario.clock.mode, start: start, scale: scenario.clock.scale,
                             monotonicNanoseconds: monotonic)
        ids = IdentifierSource(seed: scenario.seed)
        tokens = TokenStore()
        for token in scenario.tokens {
            tokens.add(AccessToken(value: token.value, clientID: token.clientID, createdAt: start,
                                   expiresAt: token.expiresIn.map { start + $0 }))
        }
        store = ResourceStore(fixtures: scenario.fixtures)
        deliveries = DeliveryBook(settings: scenario.callbacks)
        faults = FaultBook(scenario.faults)
        kinds = scenario.kinds
        timelines = scenario.timelines
        var clients: [String: ClientCredentials] = [:], apiKeys: [String: String] = [:]
        for client in scenario.credentials {
            clients[client.clientID] = client
            apiKeys[client.clientID] = client.apiKey
        }
        self.clients = clients
        self.apiKeys = apiKeys
        for event in scenario.events { timeline.schedule(.event(event), at: start + event.at) }
    }
}

extension SandboxState {
    /// Issues a new bearer token to `client`, living its `token_ttl` seconds of sandbox time.
    mutating func issueToken(to client: ClientCredentials) -> AccessToken {
        let now = clock.now()
        let token = AccessToken(value: ids.token(), clientID: client.clientID, createdAt: now,
                                expiresAt: now + .seconds(client.tokenTTL))
        tokens.add(token)
        return token
    }
}
