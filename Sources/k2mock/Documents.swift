import ArgumentParser
import K2MockServer
import K2Sandbox
import OrderedJSON

/// `k2mock openapi`: the OpenAPI 3.1 document of everything k2mock serves, as
/// `GET /__admin/openapi.json` answers it (and `openapi/k2mock.json` holds it).
struct OpenAPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print the OpenAPI 3.1 document of the K2 API, OAuth and /__admin, as GET /__admin/openapi.json serves it.")

    func run() {
        print(OpenAPIDocument.text())
    }
}

/// `k2mock schema`: the JSON Schema of scenario files, as `GET /__admin/scenario-schema.json`
/// serves it (and `schemas/scenario.schema.json` holds it), for editors.
struct ScenarioSchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (draft 2020-12) of scenario files, for editors (docs/scenarios.md#editors).")

    func run() {
        print(ScenarioSchema.json().prettyPrinted())
    }
}
