import ArgumentParser

/// The `k2mock` command: an offline, deterministic Kopo Kopo K2 Connect API sandbox.
@main
struct K2Mock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "k2mock",
        abstract: "An offline, deterministic fake of the Kopo Kopo K2 Connect API.",
        subcommands: [Serve.self, Validate.self, Verify.self, Kinds.self],
        defaultSubcommand: Serve.self
    )
}
