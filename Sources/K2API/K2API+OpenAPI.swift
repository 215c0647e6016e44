import K2HTTP
import K2Sandbox
import OrderedJSON

extension K2API {
    /// Adds the operations of every K2 route to `paths`: OAuth, each kind of `kinds` (its GET
    /// per version, its create with the kind's own request schema and example, its actions), and
    /// what webhook events link to. Describes k2mock as it is (docs/k2-api.md says where that
    /// differs from K2).
    public static func describe(into paths: inout OpenAPI.Paths, kinds: KindRegistry) {
        describeOAuth(into: &paths)
        describeKinds(into: &paths, kinds: kinds)
        describeEvents(into: &paths)
    }

    private static func describeKinds(into paths: inout OpenAPI.Paths, kinds: KindRegistry) {
        let unauthorized = OpenAPI.shared("Unauthorized"), notFound = OpenAPI.shared("NotFound")
        for definition in kinds.definitions {
            let kind = definition.kind.rawValue, collection = definition.collection
            let actions = definition.actions.map(\.name)
            for version in definition.versions {
                let base = "/api/v\(version)/\(collection)"
                let getID = "get_v\(version)_\(kind)"
                paths[base + "/{id}", default: JSONObject()]["get"] = [
                    "operationId": .string(getID), "tags": ["K2 API"], "summary": .string("a \(kind) (v\(version))"),
                    "security": OpenAPI.k2Security, "parameters": [OpenAPI.idParameter],
                    "responses": ["200": OpenAPI.jsonBody(OpenAPI.ref("Resource"), "the \(kind) as its client reads it"),
                                  "401": unauthorized, "404": notFound],
                ]
                if definition.createVersions.contains(version) {
                    let idFromLocation: JSON = .string("$response.header.location#regex:/\(collection)/([^/]+)$")
                    var links = JSONObject([("GetCreated", ["operationId": .string(getID), "parameters": ["id": idFromLocation]])])
                    for action in actions {
                        links[action.prefix(1).uppercased() + action.dropFirst() + "Created"] = [
                            "operationId": .string("\(action)_v\(version)_\(kind)"), "parameters": ["id": idFromLocation],
                        ]
                    }
                    paths[base, default: JSONObject()]["post"] = [
                        "operationId": .string("create_v\(version)_\(kind)"), "tags": ["K2 API"],
                        "summary": .string("create a \(kind) (v\(version))"), "security": OpenAPI.k2Security,
                        "requestBody": ["required": true, "content": ["application/json": [
                            "schema": definition.requestSchema, "example": definition.requestExample]]],
                        "responses": [
                            "201": [
                                "description": "created; the body is empty and `location` says where to GET it",
                                "headers": ["location": ["schema": Schema.string, "required": true]],
                                "links": .object(links),
                            ],
                            "400": OpenAPI.shared("CreateRefused"), "401": unauthorized,
                            "413": OpenAPI.shared("TooLarge"), "415": OpenAPI.shared("NotJSON"),
                        ],
                    ]
                }
                for action in actions {
                    paths["\(base)/{id}/\(action)"] = ["post": [
                        "operationId": .string("\(action)_v\(version)_\(kind)"), "tags": ["K2 API"],
                        "summary": .string("\(action) a \(kind)"), "security": OpenAPI.k2Security,
                        "parameters": [OpenAPI.idParameter],
                        "responses": [
                            "200": OpenAPI.jsonBody(Schema.object(["message": Schema.string], required: ["message"]), "done"),
                            "400": OpenAPI.error("it cannot be done now (a paid link cannot be cancelled)"),
                            "401": unauthorized, "404": notFound,
                        ],
                    ]]
                }
            }
        }
    }

    private static func describeOAuth(into paths: inout OpenAPI.Paths) {
        let form = "application/x-www-form-urlencoded"
        func formBody(_ properties: [(key: String, value: JSON)], _ required: [String]) -> JSON {
            let schema = Schema.object(properties, required: required)
            return ["required": true, "content": [form: ["schema": schema], "application/json": ["schema": schema]]]
        }
        let credentials: [(key: String, value: JSON)] = [("client_id", Schema.string), ("client_secret", Schema.string)]
        let badRequest = OpenAPI.shared("OAuthBadRequest"), unknownClient = OpenAPI.shared("OAuthUnknownClient")
        paths["/oauth/token"] = ["post": [
            "operationId": "oauth_token", "tags": ["OAuth"], "summary": "a bearer token for a client (RFC 6749 §4.4)",
            "requestBody": formBody(credentials + [("grant_type", ["type": "string", "enum": ["client_credentials"]])],
                                    ["client_id", "client_secret", "grant_type"]),
            "responses": ["200": OpenAPI.jsonBody(OpenAPI.ref("Token"), "the token"), "400": badRequest, "401": unknownClient],
        ]]
        paths["/oauth/revoke"] = ["post": [
            "operationId": "oauth_revoke", "tags": ["OAuth"], "summary": "revoke a token (RFC 7009)",
            "requestBody": formBody(credentials + [("token", Schema.string)], ["client_id", "client_secret", "token"]),
            "responses": ["200": OpenAPI.jsonBody(Schema.anyObject, "`{}`, whether or not the token existed"),
                          "400": badRequest, "401": unknownClient],
        ]]
        paths["/oauth/introspect"] = ["post": [
            "operationId": "oauth_introspect", "tags": ["OAuth"], "summary": "what a token is (RFC 7662)",
            "requestBody": formBody(credentials + [("token", Schema.string)], ["client_id", "client_secret", "token"]),
            "responses": ["200": OpenAPI.jsonBody(OpenAPI.ref("Introspection"),
                                                  "`{\"active\": false}` for an unknown, expired or revoked token"),
                          "400": badRequest, "401": unknownClient],
        ]]
        paths["/oauth/token/info"] = ["get": [
            "operationId": "oauth_token_info", "tags": ["OAuth"], "summary": "the bearer token's own details",
            "security": OpenAPI.k2Security,
            "responses": [
                "200": OpenAPI.jsonBody(OpenAPI.ref("TokenInfo"), "the token"),
                "401": [
                    "description": "the bearer token is missing, unknown, expired or revoked",
                    "headers": ["WWW-Authenticate": ["schema": Schema.string, "required": true]],
                    "content": ["application/json": ["schema": OpenAPI.ref("OAuthError")]],
                ],
            ],
        ]]
    }

    private static func describeEvents(into paths: inout OpenAPI.Paths) {
        let unauthorized = OpenAPI.shared("Unauthorized"), notFound = OpenAPI.shared("NotFound")
        paths["/webhook_events/{id}"] = ["get": [
            "operationId": "get_webhook_event", "tags": ["K2 API"], "summary": "a fired webhook event's envelope",
            "security": OpenAPI.k2Security, "parameters": [OpenAPI.idParameter],
            "responses": ["200": OpenAPI.jsonBody(Schema.anyObject, "the envelope, as it was delivered"),
                          "401": unauthorized, "404": notFound],
        ]]
        for collection in WebhookEventRoutes.eventResourceCollections {
            paths["/\(collection)/{id}"] = ["get": [
                "operationId": .string("get_event_\(collection)"), "tags": ["K2 API"],
                "summary": "the resource a fired event carried (`_links.resource`)", "security": OpenAPI.k2Security,
                "parameters": [OpenAPI.idParameter],
                "responses": [
                    "200": OpenAPI.jsonBody(Schema.object([
                        "data": Schema.object(["id": Schema.string, "type": Schema.string, "attributes": Schema.anyObject],
                                              required: ["id", "type", "attributes"]),
                    ], required: ["data"]), "the resource"),
                    "401": unauthorized, "404": notFound,
                ],
            ]]
        }
    }
}
