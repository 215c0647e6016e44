import ArgumentParser
import K2MockServer
import K2Sandbox
import OrderedJSON

#if canImport(Glibc)
import Glibc
#endif

/// `k2mock openapi`: the OpenAPI 3.1 document of everything k2mock serves, as
/// `GET /__admin/openapi.json` answers it (and `openapi/k2mock.json` holds it).
struct OpenAPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print the OpenAPI 3.1 document of the K2 API, OAuth and /__admin, as GET /__admin/openapi.json serves it.")

    func run() throws {
        try printDocument(OpenAPIDocument.text())
    }
}

/// `k2mock schema`: the JSON Schema of scenario files, as `GET /__admin/scenario-schema.json`
/// serves it (and `schemas/scenario.schema.json` holds it), for editors.
struct ScenarioSchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (draft 2020-12) of scenario files, for editors (docs/scenarios.md#editors).")

    func run() throws {
        try printDocument(ScenarioSchema.json().prettyPrinted())
    }
}

/// Prints `text` and a newline to standard output; exits 74 when it cannot be written (a full
/// disk, a closed pipe), so that `k2mock schema > file` never leaves a short file unnoticed.
func printDocument(_ text: String) throws {
    let bytes = Array((text + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        guard written > 0 else {
            printError("cannot write the document to standard output (\(String(cString: strerror(errno))))")
            throw ExitCode(74)
        }
        offset += written
    }
}
