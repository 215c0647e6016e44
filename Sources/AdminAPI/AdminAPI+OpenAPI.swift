import K2HTTP
import K2Sandbox
import OrderedJSON

extension AdminAPI {
    /// Adds the operations of every `/__admin` route to `paths`: each sandbox endpoint, its copy
    /// under `/__admin/sandboxes/{sandbox}`, the sandboxes themselves and the dashboard's files.
    public static func describe(into paths: inout OpenAPI.Paths) {
        let string = Schema.string
        func ok(_ schema: JSON, _ description: String) -> KeyValuePairs<String, JSON> {
            ["200": OpenAPI.jsonBody(schema, description)]
        }
        func array(_ name: String) -> JSON { Schema.array(of: OpenAPI.ref(name)) }
        let limit: JSON = ["name": "limit", "in": "query", "required": false,
                           "schema": ["type": "string", "pattern": "^[0-9]{1,9}$"], "description": "only the last N entries"]
        let badLimit = OpenAPI.error("`limit` is not a whole number")

        add(&paths, "/__admin/health", "get", "admin_health", "health and delivery counts", ok(OpenAPI.ref("Health"), "up"))
        add(&paths, "/__admin/clock", "get", "admin_clock", "sandbox time", ok(OpenAPI.ref("Clock"), "now"))
        add(&paths, "/__admin/clock/advance", "post", "admin_advance", "move sandbox time and run what falls due", [
            "200": OpenAPI.jsonBody(OpenAPI.ref("Advance"), "what ran, in order"),
            "400": OpenAPI.error("`seconds` is missing or out of range"),
            "503": OpenAPI.error("k2mock is stopping; the clock stopped short"),
        ], extra: ["requestBody": ["required": true, "content": ["application/json": ["schema": Schema.object(
            ["seconds": ["type": "number", "minimum": 0, "maximum": .number("10000000000.0")]], required: ["seconds"])]]]])
        add(&paths, "/__admin/reset", "post", "admin_reset", "back to the scenario's start", ok(OpenAPI.ref("Clock"), "the clock"))
        add(&paths, "/__admin/requests", "get", "admin_requests", "the request journal",
            ["200": OpenAPI.jsonBody(array("RecordedRequest"), "oldest first"), "400": badLimit], extra: ["parameters": [limit]])
        add(&paths, "/__admin/resources", "get", "admin_resources", "every resource",
            ok(array("ResourceEntry"), "fixtures, then created ones oldest first"))
        add(&paths, "/__admin/callbacks", "get", "admin_callbacks", "the delivery journal",
            ["200": OpenAPI.jsonBody(array("Delivery"), "oldest first"), "400": badLimit],
            extra: ["parameters": [limit, ["name": "resource_id", "in": "query", "required": false, "schema": string,
                                           "description": "only this resource's callbacks"]]])
        add(&paths, "/__admin/callbacks/{id}/redeliver", "post", "admin_redeliver", "send a delivery once more, now", [
            "200": OpenAPI.jsonBody(OpenAPI.ref("Delivery"), "its journal entry"), "404": OpenAPI.error("no such delivery"),
            "503": OpenAPI.error("k2mock is stopping"),
        ], extra: ["parameters": [["name": "id", "in": "path", "required": true, "schema": string]]])
        add(&paths, "/__admin/events", "post", "admin_fire_event", "fire a webhook event now", [
            "200": Schema.merging(OpenAPI.jsonBody(OpenAPI.ref("FiredEvent"), "the event and what ran"), [
                "links": ["GetEvent": ["operationId": "get_webhook_event", "parameters": ["id": "$response.body#/id"]]],
            ]),
            "400": OpenAPI.error("unknown topic or a bad option"),
            "503": OpenAPI.error("k2mock is stopping"),
        ], extra: ["requestBody": ["required": true, "content": ["application/json": ["schema": Schema.object([
            "topic": string, "resource": Schema.anyObject, "delay": string,
            "duplicates": ["type": "integer", "minimum": 0, "maximum": 100], "bad_signature": Schema.boolean,
        ], required: ["topic"])]]]])
        add(&paths, "/__admin/expectations", "get", "admin_expectations", "the scenario's expectations checked now",
            ok(OpenAPI.ref("Expectations"), "each with its count"))
        add(&paths, "/__admin/kinds", "get", "admin_kinds", "every kind with stages", ok(array("Kind"), "in the registry's order"))
        add(&paths, "/__admin/explain", "get", "admin_explain",
            "why a K2 request got its answer, or where a resource stands and what it waits for", [
                "200": OpenAPI.jsonBody(["oneOf": [OpenAPI.ref("RequestExplanation"), OpenAPI.ref("ResourceExplanation")]],
                                        "the explanation: a one-line summary and its details"),
                "400": OpenAPI.error("neither ?request=ID (a whole number) nor ?resource=ID"),
                "404": OpenAPI.error("no such request (or no longer kept), or no such resource"),
            ], extra: ["parameters": [
                ["name": "request", "in": "query", "required": false, "schema": ["type": "string", "pattern": "^[0-9]{1,9}$"],
                 "description": "a request's id from GET /__admin/requests"],
                ["name": "resource", "in": "query", "required": false, "schema": string, "description": "a resource's id"],
            ]])
        add(&paths, "/__admin/transcript", "get", "admin_transcript",
            "the whole conversation: K2 requests and answers, delivery attempts, clock advances", [
                "200": ["description": "YAML documents, format k2mock-transcript/1 (docs/transcripts.md); ports as placeholders",
                        "content": ["text/plain": ["schema": string]]],
                "409": OpenAPI.error("`snapshot=true` on a real clock, whose transcript differs in every run"),
            ], extra: ["parameters": [["name": "snapshot", "in": "query", "required": false, "schema": string,
                                       "description": "`true` or `1`: refuse (409) unless the run is reproducible (a manual clock)"]]])
        add(&paths, "/__admin/transcript/diff", "post", "admin_transcript_diff", "how two transcripts differ, in words", [
            "200": OpenAPI.jsonBody(Schema.object(["equal": Schema.boolean, "differences": Schema.array(of: string)],
                                                  required: ["equal", "differences"]),
                                    "one line per difference, expected as the old side"),
            "400": OpenAPI.error("the body is not two strings, or one is not a transcript of this format"),
        ], extra: ["requestBody": ["required": true, "content": ["application/json": ["schema": Schema.object(
            ["expected": string, "actual": string], required: ["expected", "actual"])]]]])
        add(&paths, "/__admin/topics", "get", "admin_topics", "the webhook topics",
            ok(Schema.array(of: string), "alphabetical"))
        add(&paths, "/__admin/openapi.json", "get", "admin_openapi", "this document", ok(Schema.anyObject, "OpenAPI 3.1"))
        add(&paths, "/__admin/scenario-schema.json", "get", "admin_scenario_schema", "the JSON Schema of scenario files", [
            "200": ["description": "JSON Schema draft 2020-12, as `k2mock schema` prints it",
                    "content": ["application/schema+json": ["schema": Schema.anyObject]]],
        ])
        add(&paths, "/__admin/stream", "get", "admin_stream", "the change stream (Server-Sent Events; never ends by itself)", [
            "200": ["description": "one event per change; the schema is each event's (OpenAPI 3.1 has no itemSchema)",
                    "content": ["text/event-stream": ["schema": streamEvent]]],
            "503": OpenAPI.error("k2mock is stopping"),
        ])

        // Every sandbox's own copy of the endpoints above (docs/sandboxes.md).
        let scope: JSON = ["name": "sandbox", "in": "path", "required": true, "schema": string, "description": "the sandbox's id"]
        for path in paths.keys.sorted() where path.hasPrefix("/__admin/") && !serverWidePaths.contains(path) {
            for (method, operation) in paths[path] ?? [:] {
                guard var scoped = operation.objectValue else { continue }
                scoped["operationId"] = .string((scoped["operationId"]?.stringValue ?? "") + "_in_sandbox")
                scoped["summary"] = .string((scoped["summary"]?.stringValue ?? "") + ", in sandbox {sandbox}")
                scoped["parameters"] = .array([scope] + (scoped["parameters"]?.arrayValue ?? []))
                var responses = scoped["responses"]?.objectValue ?? [:]
                responses["404"] = OpenAPI.error("no such sandbox" + (path.contains("redeliver") ? ", or no such delivery" : ""))
                for (status, response) in responses {
                    guard var object = response.objectValue else { continue }
                    object["links"] = nil
                    responses[status] = .object(object)
                }
                scoped["responses"] = .object(responses)
                paths["/__admin/sandboxes/{sandbox}" + path.dropFirst("/__admin".count), default: [:]][method] = .object(scoped)
            }
        }

        let sandboxID: JSON = ["name": "id", "in": "path", "required": true, "schema": string,
                               "description": "the sandbox's id (its name)"]
        add(&paths, "/__admin/sandboxes", "post", "admin_create_sandbox", "make a sandbox beside the server's own", [
            "201": Schema.merging(OpenAPI.jsonBody(OpenAPI.ref("Sandbox"), "the sandbox, its credentials and tokens"), [
                "headers": ["location": ["schema": string, "description": "its admin URL"]],
                "links": ["GetSandbox": ["operationId": "admin_get_sandbox", "parameters": ["id": "$response.body#/id"]]],
            ]),
            "400": OpenAPI.error("a bad field, or a scenario that does not load (its file, line, column and key)"),
            "409": OpenAPI.error("the name, or one of its credentials or tokens, is taken"),
            "429": OpenAPI.error("the server holds --max-sandboxes sandboxes already"),
        ], extra: ["requestBody": ["required": false, "content": ["application/json": ["schema": Schema.merging(Schema.object([
            "name": ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"],
            "scenario": Schema.string("a scenario file's path on the server"),
            "scenario_yaml": Schema.string("a scenario as YAML text"),
            "seed": ["type": "integer", "minimum": 0],
            "clock": Schema.oneOf(["manual", "real"]),
            "time_scale": ["type": "number", "exclusiveMinimum": 0, "maximum": 1000000],
            "ttl": Schema.string("idle wall time after which it ends: 30s, 15m, 1h, 1d"),
        ]), ["additionalProperties": false])]]]])
        add(&paths, "/__admin/sandboxes", "get", "admin_sandboxes", "every sandbox beside the server's own",
            ok(array("Sandbox"), "oldest first"))
        add(&paths, "/__admin/sandboxes/{id}", "get", "admin_get_sandbox", "one sandbox",
            ["200": OpenAPI.jsonBody(OpenAPI.ref("Sandbox"), "it"), "404": OpenAPI.error("no such sandbox")],
            extra: ["parameters": [sandboxID]])
        add(&paths, "/__admin/sandboxes/{id}", "delete", "admin_delete_sandbox",
            "end a sandbox: its tokens answer 401, its pending deliveries are dropped", [
                "200": OpenAPI.jsonBody(Schema.object(["id": string, "deleted": Schema.boolean, "dropped_deliveries": Schema.integer],
                                                      required: ["id", "deleted", "dropped_deliveries"]), "it is gone"),
                "404": OpenAPI.error("no such sandbox"),
            ], extra: ["parameters": [sandboxID]])

        for (path, operationID, summary, description, contentType) in [
            ("/__admin", "admin_dashboard", "the dashboard", "the page", "text/html"),
            ("/__admin/dashboard.css", "admin_dashboard_css", "its styles", "CSS", "text/css"),
            ("/__admin/dashboard.js", "admin_dashboard_js", "its script", "JavaScript", "text/javascript"),
        ] {
            paths[path] = ["get": [
                "security": [[:]], "tags": ["admin"], "operationId": .string(operationID), "summary": .string(summary),
                "responses": ["200": ["description": .string(description), "content": [contentType: ["schema": string]]]],
            ]]
        }
    }

    /// One event of `GET /__admin/stream` (`ChangeStreams.frame`): its name, and its data, one
    /// line of JSON whose shape the name says.
    static var streamEvent: JSON {
        let string = Schema.string, integer = Schema.integer
        let shapes: [(String, JSON)] = [
            ("resource", Schema.object(["kind": string, "id": string, "stage": Schema.nullableString, "at": string],
                                       required: ["kind", "id", "stage", "at"])),
            ("delivery", Schema.object(["id": integer, "outcome": Schema.oneOf(["pending", "delivered", "failed"]),
                                        "attempts": integer], required: ["id", "outcome", "attempts"])),
            ("webhook_event", Schema.object(["topic": string, "id": string, "at": string], required: ["topic", "id", "at"])),
            ("request", Schema.object(["method": string, "path": string, "status": integer, "at": string],
                                      required: ["method", "path", "status", "at"])),
            ("clock", Schema.object(["now": string], required: ["now"])),
            ("reset", ["type": "object", "maxProperties": 0]),
        ]
        return Schema.object([
            "event": Schema.oneOf(shapes.map(\.0)),
            "data": [
                "type": "string", "contentMediaType": "application/json",
                "contentSchema": ["oneOf": .array(shapes.map(\.1))],
                "description": "resource {kind,id,stage,at}: created or reached a stage; delivery {id,outcome,attempts}: journalled or an attempt ended; webhook_event {topic,id,at}: fired; request {method,path,status,at}: a K2 request answered (at most one per 250 ms, the latest); clock {now}: an advance; reset {}",
            ],
        ], required: ["event", "data"])
    }

    /// Admin endpoints that are the server's, not a sandbox's: no copy under each sandbox.
    public static let serverWidePaths: Set<String> = ["/__admin/openapi.json", "/__admin/topics", "/__admin/scenario-schema.json"]

    /// An admin operation: id, tags, summary, security, then `extra` (parameters, a request
    /// body), then its responses with the admin token's 401.
    private static func add(
        _ paths: inout OpenAPI.Paths, _ path: String, _ method: String, _ operationID: String, _ summary: String,
        _ responses: KeyValuePairs<String, JSON>, extra: KeyValuePairs<String, JSON> = [:]
    ) {
        var operation: JSONObject = ["operationId": .string(operationID), "tags": ["admin"], "summary": .string(summary),
                                     "security": OpenAPI.adminSecurity]
        for (key, value) in extra { operation[key] = value }
        var answers = JSONObject(responses.map { (key: $0.key, value: $0.value) })
        answers["401"] = OpenAPI.shared("AdminUnauthorized")
        operation["responses"] = .object(answers)
        paths[path, default: [:]][method] = .object(operation)
    }
}
