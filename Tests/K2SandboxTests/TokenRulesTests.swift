import K2Sandbox
import Testing

@Suite struct TokenRulesTests {
    static let scenario = Scenario(
        source: "test", seed: 7,
        clock: .init(mode: .manual, start: Timestamp(iso8601: "2021-01-28T10:00:00+03:00")!),
        credentials: [ClientCredentials(clientID: "id", clientSecret: "secret", apiKey: "key", tokenTTL: 3600)],
        tokens: [.init(value: "forever", clientID: "id"), .init(value: "short", clientID: "id", expiresIn: .seconds(10))])

    @Test func issuedTokenIsValidUntilItsTTLOnTheSandboxClock() async throws {
        let sandbox = Sandbox(scenario: Self.scenario)
        let client = try #require(sandbox.client(id: "id", secret: "secret"))
        let token = sandbox.issueToken(to: client)
        #expect(token.value.count == 50)
        #expect(sandbox.checkToken(token.value) == .valid(token))
        _ = await sandbox.advance(by: .seconds(3599), deliver: refuse)
        #expect(sandbox.checkToken(token.value) == .valid(token))
        _ = await sandbox.advance(by: .seconds(1), deliver: refuse)
        #expect(sandbox.checkToken(token.value) == .expired(token))
    }

    @Test func preissuedTokensExpireOnlyWhenTheScenarioSaysSo() async {
        let sandbox = Sandbox(scenario: Self.scenario)
        _ = await sandbox.advance(by: .seconds(86_400 * 365), deliver: refuse)
        #expect(sandbox.checkToken("forever").refusal == nil)
        #expect(sandbox.checkToken("short").refusal == "The access token expired")
    }

    @Test func revokedTokensAreRefusedAndResetRestoresThem() {
        let sandbox = Sandbox(scenario: Self.scenario)
        #expect(sandbox.revokeToken("forever"))
        #expect(sandbox.checkToken("forever").refusal == "The access token was revoked")
        #expect(!sandbox.revokeToken("never-issued"))
        sandbox.reset()
        #expect(sandbox.checkToken("forever").refusal == nil)
    }

    @Test func missingAndUnknownTokensAreRefused() {
        let sandbox = Sandbox(scenario: Self.scenario)
        #expect(sandbox.checkToken(nil) == .missing)
        #expect(sandbox.checkToken("") == .missing)
        #expect(sandbox.checkToken("forevers") == .unknown)
        #expect(sandbox.checkToken("forev") == .unknown)
    }

    @Test func wrongSecretAuthenticatesNoClient() {
        let sandbox = Sandbox(scenario: Self.scenario)
        #expect(sandbox.client(id: "id", secret: "secreT") == nil)
        #expect(sandbox.client(id: "other", secret: "secret") == nil)
    }

    @Test func seededSandboxesIssueTheSameTokensAndUnseededOnesDoNot() throws {
        let a = Sandbox(scenario: Self.scenario), b = Sandbox(scenario: Self.scenario)
        let client = try #require(a.client(id: "id", secret: "secret"))
        #expect(a.issueToken(to: client).value == b.issueToken(to: client).value)
        var unseeded = Self.scenario
        unseeded.seed = nil
        #expect(Sandbox(scenario: unseeded).issueToken(to: client).value != Sandbox(scenario: unseeded).issueToken(to: client).value)
    }

    @Test func constantTimeEqualsComparesWholeStrings() {
        #expect(constantTimeEquals("abc", "abc"))
        #expect(!constantTimeEquals("abc", "abd"))
        #expect(!constantTimeEquals("abc", "abcd"))
        #expect(!constantTimeEquals("", "a"))
    }
}

/// A transport that is never reached: these sandboxes make no deliveries.
@Sendable func refuse(_ job: DeliveryJob) async -> DeliveryResult {
    DeliveryResult(status: nil, error: "no transport in this test", latencyMilliseconds: 0)
}
