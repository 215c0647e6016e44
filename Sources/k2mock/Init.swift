import ArgumentParser
import K2Sandbox
import OrderedJSON

#if canImport(Glibc)
import Glibc
#endif

/// `k2mock init [DIR]`: a commented starter scenario to edit, and the schema beside it that
/// its first line points editors at (offline, as k2mock is).
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a commented starter scenario, DIR/k2mock.yaml, and its schema, DIR/k2mock.schema.json; never overwrites.",
        discussion: "DIR defaults to the current directory and must exist. Exit status: 0 when both are written, 1 when either exists already, 73 when one cannot be written (then neither is left), 64 a usage error.")

    @Argument(help: "Where to write k2mock.yaml and k2mock.schema.json.")
    var directory = "."

    func validate() throws {
        guard !directory.isEmpty else { throw ValidationError("DIR must name a directory (\".\" for this one), not \"\"") }
    }

    func run() throws {
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        let scenario = base + "k2mock.yaml", schema = base + "k2mock.schema.json"
        var info = stat()
        // lstat: a dangling symbolic link is in the way too.
        for path in [scenario, schema] where lstat(path, &info) == 0 {
            printError("\(path) exists already: k2mock init never overwrites (edit it, or remove it first)")
            throw ExitCode(1)
        }
        try create(schema, ScenarioSchema.json().prettyPrinted() + "\n")
        do {
            try create(scenario, Self.starter)
        } catch {
            unlink(schema)   // all or nothing
            throw error
        }
        print("wrote \(scenario) and \(schema): serve it with `k2mock serve --scenario \(scenario)`, "
              + "check it with `k2mock validate \(scenario)`")
    }

    /// Writes a new file; O_EXCL refuses one that appeared since the check.
    private func create(_ path: String, _ text: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else {
            printError("\(path): cannot write it (\(String(cString: strerror(errno))))")
            throw ExitCode(errno == EEXIST ? 1 : 73)
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            printError("\(path): cannot write it (\(String(cString: strerror(errno))))")
            throw ExitCode(73)
        }
    }

    /// The starter: credentials, one rule, one event, one expectation, each explained.
    static let starter = """
        # yaml-language-server: $schema=k2mock.schema.json
        # A k2mock scenario (docs/scenarios.md). Editors check and complete it against the schema
        # named above (written beside it; `k2mock schema` prints it again after an upgrade);
        # `k2mock validate k2mock.yaml` checks the rest.
        version: 1
        # Ids, references and tokens follow from the seed: the same requests give the same bytes.
        seed: 42
        # manual: time moves only when you say (POST /__admin/clock/advance); real: it passes.
        clock: { mode: manual }
        # Who may get a token (POST /oauth/token); the api key signs this client's callbacks.
        credentials:
          - { client_id: my-client, client_secret: my-secret, api_key: my-api-key, token_ttl: 1h }
        timelines:
          # How an STK push goes by default: pending, then paid 10 s later.
          incoming_payment:
            - { after: 0s, stage: Pending }
            - { after: 10s, stage: Success }
          rules:
            # First match wins: an STK push of 404 fails after 5 s.
            - match: { resource: incoming_payment, amount: 404 }
              timeline:
                - { after: 0s, stage: Pending }
                - { after: 5s, stage: Failed, error: The balance is insufficient for the transaction }
        # A webhook event fired 30 s after the start, to every subscription to its topic.
        events:
          - { at: 30s, topic: buygoods_transaction_received, resource: { amount: "250.0" } }
        # What `k2mock verify` checks after your tests: one STK push was asked for.
        expect:
          - { requests: { method: POST, path: /api/v*/incoming_payments }, count: 1 }

        """
}
