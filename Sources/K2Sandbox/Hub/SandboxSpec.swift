/// What a sandbox beside the server's own is made from (`POST /__admin/sandboxes`), as kept to
/// make it again after a restart.
public struct SandboxSpec: Sendable, Equatable, Codable {
    /// Its name, which is also its id: `[A-Za-z0-9_-]`, 1 to 64 characters.
    public var name: String
    /// Every file its scenario was read from, by the path it was read under, in the order read
    /// (the YAML text first); empty for the server's own scenario. A restart reads these, not
    /// the disk, so an edited file cannot change a kept sandbox.
    public var files: [ScenarioFile]
    /// Where its scenario came from, for messages: a path, `scenario_yaml`, or the server's.
    public var source: String
    /// The seed its id streams start from, before the name is mixed in; nil: unseeded (random).
    public var seed: UInt64?
    public var clock: ClockMode?
    /// Sandbox seconds per wall second on a real clock.
    public var timeScale: Double?
    /// Wall time without a request after which it ends on its own; nil: it lives until deleted.
    public var ttl: TimeSpan?

    public init(name: String, files: [ScenarioFile] = [], source: String, seed: UInt64?, clock: ClockMode?,
                timeScale: Double?, ttl: TimeSpan?) {
        self.name = name
        self.files = files
        self.source = source
        self.seed = seed
        self.clock = clock
        self.timeScale = timeScale
        self.ttl = ttl
    }

    /// One file a scenario was read from.
    public struct ScenarioFile: Sendable, Equatable, Codable {
        public var path: String
        public var text: String

        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }
    }

    /// Whether `name` may name a sandbox.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return (1...64).contains(bytes.count) && bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
            default: false
            }
        }
    }
}

extension ClockMode: Codable {}

extension Scenario {
    /// The scenario as sandbox `name` runs it, so that no two sandboxes share a client or a
    /// token and a sandbox's bytes depend only on itself: every client id, client secret, api
    /// key and pre-issued token gets `-<name>` appended, and the seed (if any) is mixed with
    /// the name (FNV-1a of its bytes), so each sandbox draws its own ids, references and tokens,
    /// the same ones on every run.
    public func personalized(for name: String) -> Scenario {
        var scenario = self
        let suffix = "-" + name
        scenario.credentials = credentials.map { client in
            var client = client
            client.clientID += suffix
            client.clientSecret += suffix
            client.apiKey += suffix
            return client
        }
        scenario.tokens = tokens.map { token in
            var token = token
            token.value += suffix
            token.clientID += suffix
            return token
        }
        scenario.seed = seed.map { $0 ^ fnv1a(name) }
        return scenario
    }
}

/// FNV-1a, 64 bits: a stable hash (Swift's `Hasher` is seeded per process).
func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return hash
}
