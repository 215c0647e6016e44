import Locking
import OrderedJSON

/// The JSON Schema (draft 2020-12) of scenario files, built from the loader's own keys
/// (`ScenarioKeys`) and the kind registry: what `k2mock schema` prints and
/// `GET /__admin/scenario-schema.json` serves, for editors to check and complete scenarios as
/// they are typed. It refuses what the loader refuses key by key (unknown keys, a timeline for
/// a kind without stages, a stage the kind lacks, a rule key the kind cannot match, values of
/// the wrong type or range); what needs more than one value (a fixture file that exists, steps
/// in time order, tokens of listed clients) only `k2mock validate` checks.
public enum ScenarioSchema {
    /// Its `$id`: a name, not a place (k2mock works offline; editors find the schema by path).
    public static let id = "urn:k2mock:scenario-schema:1"

    /// The schema for scenarios over `kinds`.
    public static func json(kinds: KindRegistry = .standard) -> JSON {
        let timelineKinds = kinds.timelineKinds.compactMap { kinds.definition(of: $0) }
        let timelines = closed(ScenarioKeys.timelines(kinds)) { key in
            if key == "rules" {
                return described(Schema.array(of: ["$ref": "#/$defs/rule"]),
                                 "first match wins over the kind's timeline; `match.resource` says which kind a rule is for")
            }
            guard let definition = kinds.definition(of: ResourceKind(key)) else { return nil }
            return steps(definition)
        }
        let kindNames = timelineKinds.map { JSON.string($0.kind.rawValue) }
        var rule = closed(ScenarioKeys.rule, required: ["match", "timeline"]) { key in
            switch key {
            case "match": ["type": "object", "properties": ["resource": ["type": "string", "enum": .array(kindNames)]],
                           "required": ["resource"]]
            case "timeline": ["type": "array", "minItems": 1]
            default: ["$ref": "#/$defs/delivery"]
            }
        }.objectValue ?? [:]
        // A rule for one kind matches only on what that kind can be matched on, and its steps
        // are that kind's stages.
        rule["allOf"] = .array(timelineKinds.map { definition in
            let usable = RuleKey.allCases.filter(definition.ruleKeys.contains)
            var match = JSONObject([("resource", true)])
            for key in usable { match[key.rawValue] = ruleMatch(key) }
            return [
                "if": ["properties": ["match": ["properties": ["resource": ["const": .string(definition.kind.rawValue)]]]]],
                "then": ["properties": [
                    "match": ["properties": .object(match), "additionalProperties": false],
                    "timeline": steps(definition),
                ]],
            ]
        })
        let root = closed(ScenarioKeys.topLevel) { key in
            switch key {
            case "version": ["const": 1, "description": "the format's version: 1"]
            case "seed": described(["type": "integer", "minimum": 0, "maximum": .number(String(UInt64.max))],
                                   "ids, references and tokens derive from it; without it they are random")
            case "clock": described(closed(ScenarioKeys.clock) { key in
                switch key {
                case "mode": described(Schema.oneOf(["real", "manual"]), "real: time passes; manual: only advances move it")
                case "start": described(["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})$"],
                                        "ISO-8601 with an offset, such as 2021-01-28T10:00:00+03:00; default: 2026-01-01T00:00:00Z on a manual clock, now on a real one")
                case "scale": described(["type": "number", "exclusiveMinimum": 0, "maximum": 1000000], "sandbox seconds per wall second")
                default: nil
                }
            }, "sandbox time: a real clock (scaled) or a manual one, and where it starts")
            case "credentials": described(Schema.array(of: closed(ScenarioKeys.credentials, required: ["client_id", "client_secret", "api_key"]) { key in
                switch key {
                case "token_ttl": described(tokenTTL, "how long its tokens live: seconds, or 5s, 2m, 1h, 1d; at least 1s (default 3600)")
                case "client_id": described(nonEmptyText, "what POST /oauth/token is sent as client_id")
                case "client_secret": described(nonEmptyText, "what POST /oauth/token is sent as client_secret")
                default: described(nonEmptyText, "signs this client's callbacks and webhook events (X-KopoKopo-Signature)")
                }
            }), "the clients that may get tokens (POST /oauth/token)")
            case "tokens": described(Schema.array(of: closed(ScenarioKeys.tokens, required: ["value", "client_id"]) { key in
                switch key {
                case "value": ["type": ["string", "number", "boolean"], "pattern": "^[^\\s]+$"]
                case "client_id": text
                default: described(duration, "default: never expires")
                }
            }), "pre-issued bearer tokens")
            case "fixtures": described(Schema.array(of: text), "K2 resources that exist at start: JSON files, paths relative to this file")
            case "timelines": described(timelines, "each kind's stages over time")
            case "callbacks": described(closed(ScenarioKeys.callbacks) { key in
                switch key {
                case "timeout": described(["anyOf": [["type": "string", "pattern": "^[1-9][0-9]*(ms|s|m)$"],
                                                     ["type": "integer", "minimum": 1, "maximum": 600]]],
                                          "how long a receiver has to answer: 1ms to 10m (default 5s)")
                case "retry": described(closed(ScenarioKeys.retry) { key in
                    key == "attempts" ? described(["type": "integer", "minimum": 1, "maximum": 100], "attempts in all, the first included")
                        : described(Schema.array(of: duration), "the waits between attempts; the last repeats")
                }, "how failed deliveries are retried")
                default: described(["type": "string", "pattern": "^[hH][tT][tT][pP][sS]?://[^/]+"], "an http:// or https:// proxy for deliveries")
                }
            }, "how callbacks and webhook events are delivered")
            case "events": described(Schema.array(of: closed(ScenarioKeys.event, required: ["at", "topic"]) { key in
                switch key {
                case "at": described(duration, "sandbox time after the start")
                case "topic": Schema.oneOf(WebhookTopic.all.map(\.rawValue))
                case "resource": described(Schema.anyObject, "fields to set on the topic's default resource")
                default: ["$ref": "#/$defs/delivery"]
                }
            }), "webhook events fired at sandbox times, to every subscription to their topic")
            case "faults": described(Schema.array(of: Schema.merging(closed(ScenarioKeys.fault) { key in
                switch key {
                case "match": described(closed(ScenarioKeys.faultMatch) { key in
                    key == "method" ? described(text, "GET, POST, ... (any case)") : described(text, "a path; * matches any run of characters")
                }, "which requests it answers (each omitted: any)")
                case "nth": described(["type": "integer", "minimum": 1, "maximum": 1000000], "only the nth matching request")
                case "respond": described(closed(ScenarioKeys.faultRespond) { key in
                    key == "status" ? ["type": "integer", "minimum": 100, "maximum": 599] : described(text, "the body to answer with")
                }, "answer with this status (and body) instead of the API")
                default: described(duration, "wall time to wait before serving")
                }
            }, ["anyOf": [["required": ["latency"]], ["required": ["respond"], "properties": ["respond": ["required": ["status"]]]]]])),
            "the API misbehaving on purpose: matching requests answered with a status, or late")
            case "expect": described(Schema.array(of: Schema.merging(closed(ScenarioKeys.expectation, required: ["count"]) { key in
                switch key {
                case "requests": described(closed(ScenarioKeys.expectedRequests) { _ in text }, "K2 requests by method and path pattern")
                case "callbacks": closed(ScenarioKeys.expectedCallbacks) { key in
                    switch key {
                    case "outcome": Schema.oneOf(ScenarioKeys.outcomes)
                    case "kind": Schema.oneOf(ScenarioKeys.deliveryKinds)
                    default: text
                    }
                }
                default: described(["type": "integer", "minimum": 0, "maximum": 1000000000], "exactly this many")
                }
            }, ["anyOf": [["required": ["requests"]], ["required": ["callbacks"]]]])), "what `k2mock verify` checks afterwards")
            default: nil
            }
        }
        var schema = JSONObject([
            ("$schema", "https://json-schema.org/draft/2020-12/schema"), ("$id", .string(id)),
            ("title", "k2mock scenario"),
            ("description", "A k2mock scenario file (docs/scenarios.md). `k2mock validate` checks what a schema cannot: fixture files, step order, token clients."),
        ])
        for member in root.objectValue ?? [:] { schema[member.key] = member.value }
        schema["required"] = ["version"]
        schema["$defs"] = [
            "rule": .object(rule),
            "delivery": closed(ScenarioKeys.delivery) { key in
                switch key {
                case "delay": duration
                case "duplicates": ["type": "integer", "minimum": 0, "maximum": 100]
                default: ["enum": [true, false, "true", "false"]]
                }
            },
        ]
        return .object(schema)
    }

    /// The keys every `closed` mapping was built from that have no schema (a test keeps this empty).
    public static func keysWithoutSchema(kinds: KindRegistry = .standard) -> [String] {
        missing.withLock { $0 = [] }
        _ = json(kinds: kinds)
        return missing.withLock { $0 }
    }

    private static let missing = Locked<[String]>([])

    /// An object of exactly `keys`, each with the schema `schema(key)` gives.
    private static func closed(_ keys: [String], required: [String] = [], _ schema: (String) -> JSON?) -> JSON {
        var properties = JSONObject()
        for key in keys {
            if let value = schema(key) { properties[key] = value } else {
                missing.withLock { $0.append(key) }
                properties[key] = true
            }
        }
        var object = JSONObject([("type", "object"), ("properties", .object(properties))])
        if !required.isEmpty { object["required"] = .array(required.map(JSON.string)) }
        object["additionalProperties"] = false
        return .object(object)
    }

    /// Steps of `definition`'s timeline: `{after, stage, error}`, its stages only, `error` only
    /// on `Failed`.
    private static func steps(_ definition: any ResourceDefinition.Type) -> JSON {
        [
            "type": "array", "minItems": 1,
            "description": .string("\(definition.kind)'s stages over sandbox time: \(definition.stages.map(\.rawValue).joined(separator: ", "))"),
            "items": Schema.merging(closed(ScenarioKeys.step, required: ["after", "stage"]) { key in
                switch key {
                case "after": described(duration, "sandbox time after the create")
                case "stage": Schema.oneOf(definition.stages.map(\.rawValue))
                default: described(text, "only on a Failed stage: the error its body carries")
                }
            }, ["if": ["required": ["error"]], "then": ["properties": ["stage": ["const": "Failed"]]]]),
        ]
    }

    private static func ruleMatch(_ key: RuleKey) -> JSON {
        switch key {
        case .amount: described(["type": ["number", "string"], "exclusiveMinimum": 0, "pattern": "^[0-9]+(\\.[0-9]{1,2})?$"],
                                "such as 404 or 100.50 (at most two decimals)")
        case .metadata: ["type": "object", "additionalProperties": text]
        case .phoneNumber, .destinationType, .tillNumber: text
        }
    }

    /// What the loader reads as text: any scalar but null (YAML's `555555` is a number to JSON).
    private static let text: JSON = ["type": ["string", "number", "boolean"]]
    private static let nonEmptyText: JSON = ["type": ["string", "number", "boolean"], "minLength": 1]
    /// A token's life: at least a second.
    private static let tokenTTL: JSON = ["anyOf": [
        ["type": "string", "pattern": "^([1-9][0-9]*(s|m|h|d)|[1-9][0-9]{3,}ms)$"], ["type": "integer", "minimum": 1],
    ]]
    /// `500ms`, `5s`, `2m`, `1h`, `1d`, or whole seconds.
    private static let duration: JSON = ["anyOf": [
        ["type": "string", "pattern": "^[0-9]+(ms|s|m|h|d)$"], ["type": "integer", "minimum": 0],
    ]]

    private static func described(_ schema: JSON, _ description: String) -> JSON { Schema.described(schema, description) }
}
