import K2Sandbox
import OrderedJSON

/// The words the OpenAPI document (`GET /__admin/openapi.json`, `k2mock openapi`) is written in:
/// each API module describes its own routes with these (`K2API.describe`, `AdminAPI.describe`),
/// and `OpenAPIDocument` puts them together with the components below.
public enum OpenAPI {
    /// Operations by path, then by method in the order added.
    public typealias Paths = [String: JSONObject]

    public static func ref(_ name: String) -> JSON { ["$ref": .string("#/components/schemas/" + name)] }
    public static func shared(_ name: String) -> JSON { ["$ref": .string("#/components/responses/" + name)] }

    /// A response with a JSON body of `schema`.
    public static func jsonBody(_ schema: JSON, _ description: String) -> JSON {
        ["description": .string(description), "content": ["application/json": ["schema": schema]]]
    }

    /// A response with K2's error body.
    public static func error(_ description: String) -> JSON { jsonBody(ref("Error"), description) }
    /// A response with OAuth's (RFC 6749) error body.
    public static func oauthError(_ description: String) -> JSON { jsonBody(ref("OAuthError"), description) }

    public static let k2Security: JSON = [["k2Bearer": []]]
    public static let adminSecurity: JSON = [["adminBearer": []], [:]]
    /// `{id}` in a path.
    public static let idParameter: JSON = ["name": "id", "in": "path", "required": true, "schema": Schema.string]

    /// Answers many operations give, under `components/responses`.
    public static let sharedResponses: JSON = [
        "Unauthorized": [
            "description": "the bearer token is missing, unknown, expired or revoked",
            "headers": ["WWW-Authenticate": ["schema": Schema.string, "required": true]],
            "content": ["application/json": ["schema": ref("Error")]],
        ],
        "NotFound": error("no such resource"),
        "CreateRefused": error("the request is not one k2mock can create from (the message says why)"),
        "TooLarge": error("the body is over 1 MiB"),
        "NotJSON": error("the body is not application/json"),
        "OAuthBadRequest": jsonBody(["oneOf": [ref("OAuthError"), ref("Error")]],
                                    "no or another grant type (OAuth's shape), or a body that cannot be read (K2's)"),
        "OAuthUnknownClient": oauthError("unknown client or wrong secret"),
        "AdminUnauthorized": error("`--admin-token` was given and this request lacks it"),
    ]

    /// The bodies' schemas, under `components/schemas`.
    public static var schemas: JSON {
        let string = Schema.string, integer = Schema.integer, boolean = Schema.boolean, number = Schema.number
        let attempt = Schema.object([
            "attempt": integer, "at": string, "due": string, "redelivery": boolean, "status": ["type": ["integer", "null"]],
            "error": Schema.nullableString, "latency_ms": number,
            "outcome": Schema.oneOf(["delivered", "failed", "interrupted"]),
        ], required: ["attempt", "at", "due", "redelivery", "status", "error", "latency_ms", "outcome"])
        return [
            "Error": Schema.object(["error_code": integer, "error_message": string], required: ["error_code", "error_message"]),
            "OAuthError": Schema.object(["error": string, "error_description": string], required: ["error"]),
            "Resource": Schema.object(["data": Schema.object(["id": string, "type": string, "attributes": Schema.anyObject],
                                                             required: ["id", "type", "attributes"])], required: ["data"]),
            "Token": Schema.object([
                "access_token": string, "token_type": string, "expires_in": ["type": ["integer", "null"]], "created_at": integer,
            ], required: ["access_token", "token_type", "expires_in", "created_at"]),
            "Introspection": Schema.object(["active": boolean], required: ["active"]),
            "TokenInfo": Schema.anyObject,
            "Health": Schema.object([
                "status": string, "scenario": string, "clock": string,
                "deliveries": Schema.object(["pending": integer, "delivered": integer, "failed": integer],
                                            required: ["pending", "delivered", "failed"]),
            ], required: ["status", "scenario", "clock", "deliveries"]),
            "Clock": Schema.object(["now": string, "mode": Schema.oneOf(["manual", "real"]), "scale": number],
                                   required: ["now", "mode", "scale"]),
            "Advance": Schema.object(["now": string, "mode": string, "scale": number, "ran": Schema.array(of: Schema.anyObject)],
                                     required: ["now", "mode", "scale", "ran"]),
            "RecordedRequest": Schema.object(["id": integer, "at": string, "method": string, "path": string, "status": integer],
                                             required: ["id", "at", "method", "path", "status"]),
            "RequestExplanation": Schema.object([
                "request": Schema.object(["id": integer, "at": string, "method": string, "path": string, "status": integer],
                                         required: ["id", "at", "method", "path", "status"]),
                "summary": string, "k2_message": Schema.nullableString, "details": Schema.array(of: string),
                "ignored_keys": Schema.array(of: string),
            ], required: ["request", "summary", "k2_message", "details", "ignored_keys"]),
            "ResourceExplanation": Schema.object([
                "resource": Schema.object(["kind": string, "id": string, "path": string, "stage": Schema.nullableString,
                                           "created_at": Schema.nullableString],
                                          required: ["kind", "id", "path", "stage", "created_at"]),
                "summary": string,
                "timeline": ["type": ["object", "null"], "properties": [
                    "chosen_by": string, "now": string,
                    "steps": Schema.array(of: Schema.object(["stage": string, "at": string, "reached": boolean],
                                                            required: ["stage", "at", "reached"])),
                ]],
                "callback": ["type": ["object", "null"], "properties": [
                    "state": Schema.oneOf(["none", "none asked", "none coming", "not due yet", "due", "retrying", "delivered", "given up"]),
                    "why": string, "url": string, "delivery": integer, "next_attempt_at": string,
                    "attempts": Schema.array(of: Schema.anyObject), "sent_signature": string, "signed_with": Schema.anyObject,
                ]],
            ], required: ["resource", "summary", "timeline", "callback"]),
            "ResourceEntry": Schema.object([
                "kind": string, "id": string, "stage": Schema.nullableString, "created_at": Schema.nullableString,
                "timeline": Schema.array(of: Schema.object(["stage": string, "at": string, "reached": boolean],
                                                           required: ["stage", "at", "reached"])),
                "path": string, "body": ["type": ["object", "null"]],
            ], required: ["kind", "id", "stage", "created_at", "timeline", "path", "body"]),
            "Attempt": attempt,
            "Delivery": Schema.object([
                "id": integer, "kind": Schema.oneOf(["callback", "webhook"]), "resource": string, "resource_id": string,
                "topic": string, "event_id": string, "url": string, "outcome": Schema.oneOf(["pending", "delivered", "failed"]),
                "created_at": string, "signature": string, "body": string, "attempts": Schema.array(of: ref("Attempt")),
            ], required: ["id", "kind", "url", "outcome", "created_at", "signature", "body", "attempts"]),
            "FiredEvent": Schema.object([
                "at": string, "event": string, "id": string, "deliveries": Schema.array(of: integer),
                "ran": Schema.array(of: Schema.anyObject),
            ], required: ["at", "event", "id", "deliveries", "ran"]),
            "Expectations": Schema.object([
                "passed": boolean,
                "results": Schema.array(of: Schema.object(
                    ["description": string, "expected": integer, "actual": integer, "passed": boolean],
                    required: ["description", "expected", "actual", "passed"])),
            ], required: ["passed", "results"]),
            "Sandbox": Schema.object([
                "id": string, "name": string, "scenario": string, "seed": ["type": ["integer", "null"]], "ttl": Schema.nullableString,
                "credentials": Schema.array(of: Schema.object(["client_id": string, "client_secret": string, "api_key": string],
                                                              required: ["client_id", "client_secret", "api_key"])),
                "tokens": Schema.array(of: Schema.object(["value": string, "client_id": string], required: ["value", "client_id"])),
                "clock": ref("Clock"), "admin": string,
            ], required: ["id", "name", "scenario", "seed", "ttl", "credentials", "tokens", "clock", "admin"]),
            "Kind": Schema.object(["kind": string, "stages": Schema.array(of: string), "final": Schema.array(of: string)],
                                  required: ["kind", "stages", "final"]),
        ]
    }

    /// The whole document: `paths` (sorted by path) with the components above.
    public static func document(version: String, paths: Paths) -> JSON {
        [
            "openapi": "3.1.0",
            "info": [
                "title": "k2mock", "version": .string(version),
                "description": "An offline, deterministic fake of the Kopo Kopo K2 Connect API: the K2 API it serves (v1 and v2), OAuth, and its own admin API under /__admin. This describes k2mock as it is; docs/k2-api.md says where it differs from K2.",
            ],
            "servers": [["url": "http://127.0.0.1:8080"]],
            "paths": .object(JSONObject(paths.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSON.object($0.value)) })),
            "components": [
                "securitySchemes": [
                    "k2Bearer": ["type": "http", "scheme": "bearer", "description": "a token from /oauth/token or the scenario"],
                    "adminBearer": ["type": "http", "scheme": "bearer", "description": "the `--admin-token`, when one was given"],
                ],
                "responses": sharedResponses,
                "schemas": schemas,
            ],
        ]
    }
}
