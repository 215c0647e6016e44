import ArgumentParser

/// The `k2mock` command: an offline, deterministic Kopo Kopo K2 Connect API sandbox.
@main
struct K2Mock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "k2mock",
        abstract: "An offline, deterministic fake of the Kopo Kopo K2 Connect API.",
        // The same as VERSION (a test holds them together): `make dist` names its tarball with it.
        version: "0.1.0",
        subcommands: [Serve.self, Validate.self, Verify.self, Kinds.self, Transcript.self],
        defaultSubcommand: Serve.self
    )
}
