import K2Sandbox
import Testing

@Suite struct DefaultScenarioTests {
    /// The repository root, found from this file's path.
    static let root = String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/"))

    @Test func builtInCopiesMatchTheRepositoryFiles() throws {
        for (path, embedded) in DefaultScenario.files {
            let bytes = try #require(FileSystem.read(Self.root + "/" + path), "\(path) missing")
            var onDisk = String(decoding: bytes, as: UTF8.self)
            if onDisk.hasSuffix("\n") { onDisk.removeLast() }
            #expect(onDisk == embedded, "\(path) differs from its copy in DefaultScenario.swift")
        }
    }

    @Test func repositoryDefaultScenarioLoadsFromDisk() throws {
        let scenario = try ScenarioLoader().load(path: Self.root + "/scenarios/default.yaml")
        #expect(scenario.fixtures.map(\.document) == DefaultScenario.load().fixtures.map(\.document))
        #expect(scenario.timelines == DefaultScenario.load().timelines)
    }

    @Test func providesTheDocsCredentialsTokenAndPayment() {
        let scenario = DefaultScenario.load()
        #expect(scenario.credentials.map(\.clientID) == ["sandbox_client_id"])
        #expect(scenario.credentials.first?.apiKey == "sandbox_api_key")
        #expect(scenario.tokens.first?.value == "0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q")
        #expect(scenario.tokens.first?.expiresIn == nil)
        #expect(scenario.fixtures.first?.id == "c6fda139-2480-4a93-95ed-f72c66b92364")
        #expect(scenario.clock.mode == .real)
    }
}

@Suite struct ShippedScenarioTests {
    @Test(arguments: ["default", "happy-path", "failures", "slow-day", "ci-pipeline"])
    func everyShippedScenarioIsValid(_ name: String) throws {
        _ = try ScenarioLoader().load(path: DefaultScenarioTests.root + "/scenarios/\(name).yaml")
    }
}
