import K2MockServer
import K2MockTesting
import K2Sandbox
import OrderedJSON
import Testing

private let root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")

/// The OpenAPI document (openapi/k2mock.json) against the server: served byte for byte, and
/// describing every route and nothing more. schemathesis checks the bodies (Tests/contract).
@Suite struct OpenAPITests {
    @Test func theDocumentIsServedAsItIsInTheRepository() async throws {
        try await withSandbox { sandbox in
            let served = try await sandbox.request("GET", "/__admin/openapi.json")
            #expect(served.status == 200)
            #expect(served.header("Content-Type") == "application/json")
            let bytes = try #require(FileSystem.read(root + "/openapi/k2mock.json"))
            #expect(served.body + [10] == bytes, "openapi/k2mock.json differs from the embedded copy: run scripts/openapi.py")
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
