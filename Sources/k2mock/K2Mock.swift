import ArgumentParser
import K2MockServer

/// The `k2mock` command: an offline, deterministic Kopo Kopo K2 Connect API sandbox.
@main
struct K2Mock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "k2mock",
        abstract: "An offline, deterministic fake of the Kopo Kopo K2 Connect API.",
        // The same as VERSION (a test holds them together): `make dist` names its tarball with it.
        version: OpenAPIDocument.version,
        subcommands: [Serve.self, Validate.self, Verify.self, Kinds.self, Transcript.self, OpenAPI.self, ScenarioSchemaCommand.self, Init.self],
        defaultSubcommand: Serve.self
    )
}
