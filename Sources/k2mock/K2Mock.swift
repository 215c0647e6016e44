import ArgumentParser
import K2MockServer

/// The `k2mock` command: an offline, deterministic Kopo Kopo K2 Connect API sandbox.
@main
struct K2Mock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "k2mock",
        abstract: "An offline, deterministic fake of the Kopo Kopo K2 Connect API.",
        discussion: """
            Exit status: 0 on success; 64 for a usage error (an unknown option, a bad value), with the \
            subcommand's usage. Each subcommand's --help lists its own: serve 1 (cannot listen) and 64, 65, \
            73, 74, 75 (--data-dir); validate 1; verify 1, 2, 3; transcript diff 1, 2; init 1, 73 \
            (docs/cli.md#exit-codes).
            """,
        // The same as VERSION (a test holds them together): `make dist` names its tarball with it.
        version: OpenAPIDocument.version,
        subcommands: [Serve.self, Validate.self, Verify.self, Kinds.self, Transcript.self, OpenAPI.self, ScenarioSchemaCommand.self, Init.self],
        defaultSubcommand: Serve.self
    )
}
