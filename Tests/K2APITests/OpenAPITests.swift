import K2MockServer
import K2MockTesting
import K2Sandbox
import OrderedJSON
import Testing

private let root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")

/// The OpenAPI document, built from the routes' descriptions and the kind registry, against the
/// server: served byte for byte as `k2mock openapi` prints it and as openapi/k2mock.json holds
/// it, describing every route and nothing more. schemathesis checks the bodies (Tests/contract).
@Suite struct OpenAPITests {
    @Test func theDocumentIsServedAsItIsInTheRepository() async throws {
        try await withSandbox { sandbox in
            let served = try await sandbox.request("GET", "/__admin/openapi.json")
            #expect(served.status == 200)
            #expect(served.header("Content-Type") == "application/json")
            #expect(served.body == Array(OpenAPIDocument.text().utf8))
            let bytes = try #require(FileSystem.read(root + "/openapi/k2mock.json"))
            #expect(served.body + [10] == bytes, "openapi/k2mock.json is stale: run `make generate`")
            #expect(try await sandbox.request("GET", "/__admin/openapi.json").body == served.body, "byte-stable")
        }
    }

    @Test func everyRouteIsDescribedAndNothingElse() async throws {
        try await withSandbox { sandbox in
            let document = try JSON.parse(try await sandbox.request("GET", "/__admin/openapi.json").body)
            var described: Set<String> = []
            for (path, operations) in document["paths"]?.objectValue ?? JSONObject() {
                for (method, _) in operations.objectValue ?? JSONObject() {
                    described.insert("\(method.uppercased()) \(path)")
                }
            }
            let served = Set(sandbox.server.routes.map { route in
                // `:id` in the router is `{id}` in OpenAPI.
                let path = route.pattern.split(separator: "/", omittingEmptySubsequences: false)
                    .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                return "\(route.method) \(path)"
            })
            #expect(served.subtracting(described).sorted() == [], "routes the document lacks")
            #expect(described.subtracting(served).sorted() == [], "operations the server lacks")
            #expect(described.count > 60)
        }
    }
}

/// The scenario schema: built from the loader's keys, every one of which has a schema, served
/// and checked in as the same bytes (Tests/schema holds it to `k2mock validate`'s verdicts).
@Suite struct ScenarioSchemaTests {
    @Test func everyKeyTheLoaderReadsHasASchema() {
        #expect(ScenarioSchema.keysWithoutSchema() == [])
    }

    @Test func theSchemaIsServedAsItIsInTheRepository() async throws {
        try await withSandbox { sandbox in
            let served = try await sandbox.request("GET", "/__admin/scenario-schema.json")
            #expect(served.status == 200 && served.header("Content-Type") == "application/schema+json")
            #expect(served.body == Array(ScenarioSchema.json().prettyPrinted().utf8))
            let bytes = try #require(FileSystem.read(root + "/schemas/scenario.schema.json"))
            #expect(served.body + [10] == bytes, "schemas/scenario.schema.json is stale: run `make generate`")
        }
    }
}
