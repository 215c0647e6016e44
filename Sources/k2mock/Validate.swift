import ArgumentParser
import K2Sandbox

/// `k2mock validate FILE...`: check scenario files without serving them.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check scenario files; print FILE:LINE:COLUMN: message for each problem.",
        discussion: "Exit status: 0 when every file is a valid scenario, 1 when one is not (or cannot be read, or is a directory), 64 a usage error.")

    @Argument(help: "Scenario files to check.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            do {
                _ = try ScenarioLoader().load(path: file)
            } catch {
                failed = true
                printError(error.description)
            }
        }
        if failed { throw ExitCode(1) }
    }
}
