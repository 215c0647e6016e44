import AdminAPI
import K2API
import K2HTTP
import K2Sandbox
import OrderedJSON

/// The OpenAPI 3.1 document of everything k2mock serves (`GET /__admin/openapi.json`,
/// `k2mock openapi`, the checked-in `openapi/k2mock.json`): built from each API module's own
/// description of its routes and from the kind registry, each kind's request schema written
/// beside its reader. It describes k2mock as it is; docs/k2-api.md says where that differs
/// from K2.
public enum OpenAPIDocument {
    /// k2mock's version (the VERSION file; a test holds them together).
    public static let version = "0.1.0"

    /// The document for a server whose kinds are `kinds`.
    public static func json(kinds: KindRegistry = .standard) -> JSON {
        var paths = OpenAPI.Paths()
        K2API.describe(into: &paths, kinds: kinds)
        AdminAPI.describe(into: &paths)
        return OpenAPI.document(version: version, paths: paths)
    }

    /// The document as UTF-8 text, indented two spaces, without a final newline.
    public static func text(kinds: KindRegistry = .standard) -> String {
        json(kinds: kinds).prettyPrinted()
    }
}
