import K2HTTP
import K2Sandbox
import MicroHTTP
import OrderedJSON

/// `/__admin/sandboxes`: sandboxes beside the server's own, each isolated (its own scenario,
/// seed, clock, resources, tokens, credentials, deliveries and journals) and found by the
/// credentials and tokens the app already sends (docs/sandboxes.md).
struct SandboxRoutes: Sendable {
    let hub: SandboxHub
    let fallbackOrigin: @Sendable () -> String
    /// Called for a sandbox that is deleted, to let go of what the admin API holds for it.
    let forget: @Sendable (HostedSandbox) -> Void

    /// The keys `POST /__admin/sandboxes` reads; any other is refused, so a typo is not ignored.
    static let createKeys = ["name", "scenario", "scenario_yaml", "seed", "clock", "time_scale", "ttl"]

    func register(into routes: inout Routes) {
        routes.add("POST", "/__admin/sandboxes", .open { request, _ in .respond(create(request)) })
        routes.add("GET", "/__admin/sandboxes", .open { request, _ in
            let origin = requestOrigin(request, fallback: fallbackOrigin)
            return .respond(K2Responses.bytes(200, JSON.array(hub.all().map { entry($0, origin: origin) }).serialized()))
        })
        routes.add("GET", "/__admin/sandboxes/:id", .open { request, context in
            let id = context.parameters["id"] ?? ""
            guard let hosted = hub.sandbox(id), !hosted.isPrimary else { return .respond(notFound(id)) }
            return .respond(K2Responses.bytes(200, entry(hosted, origin: requestOrigin(request, fallback: fallbackOrigin)).serialized()))
        })
        routes.add("DELETE", "/__admin/sandboxes/:id", .open { _, context in
            let id = context.parameters["id"] ?? ""
            guard let hosted = hub.sandbox(id), !hosted.isPrimary, let dropped = hub.delete(id) else { return .respond(notFound(id)) }
            forget(hosted)
            let answer: JSON = ["id": .string(id), "deleted": true, "dropped_deliveries": .int(dropped)]
            return .respond(K2Responses.bytes(200, answer.serialized()))
        })
    }

    private func notFound(_ id: String) -> HTTPResponse {
        K2Responses.error(404, hub.endedReason(id) ?? "No sandbox \(id)")
    }

    /// `201` with `location` and the sandbox's entry; `400`, `409` or `429` in K2's error shape.
    private func create(_ request: HTTPRequest) -> HTTPResponse {
        let body: JSON
        do {
            body = try JSON.parse(request.body.isEmpty ? Array("{}".utf8) : request.body)
        } catch {
            return K2Responses.error(400, "Malformed JSON in request body: \(error)")
        }
        guard let object = body.objectValue else {
            return K2Responses.error(400, "Request body must be a JSON object, not \(body.kindName)")
        }
        if let unknown = object.keys.first(where: { !Self.createKeys.contains($0) }) {
            return K2Responses.error(400, "Unknown key \(unknown); a sandbox takes \(Self.createKeys.joined(separator: ", "))")
        }
        var asked = SandboxHub.Request()
        func string(_ key: String) throws(SandboxHubError) -> String? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let text = value.stringValue else { throw SandboxHubError(400, "\(key) must be a string, not \(value.kindName)") }
            return text
        }
        do throws(SandboxHubError) {
            asked.name = try string("name")
            asked.scenarioPath = try string("scenario")
            asked.scenarioYAML = try string("scenario_yaml")
            if let seed = object["seed"], !seed.isNull {
                guard let value = seed.numberLexeme.flatMap({ UInt64($0) }) else {
                    throw SandboxHubError(400, "seed must be a whole number from 0 to \(UInt64.max)")
                }
                asked.seed = value
            }
            if let clock = try string("clock") {
                guard let mode = ClockMode(rawValue: clock) else { throw SandboxHubError(400, "clock must be 'real' or 'manual'") }
                asked.clock = mode
            }
            if let scale = object["time_scale"], !scale.isNull {
                guard let value = scale.numberLexeme.flatMap({ Double($0) }), value > 0, value <= 1_000_000 else {
                    throw SandboxHubError(400, "time_scale must be a number above 0 and at most 1000000")
                }
                asked.timeScale = value
            }
            if let ttl = try string("ttl") {
                guard let span = TimeSpan(parsing: ttl), span.milliseconds > 0 else {
                    throw SandboxHubError(400, "ttl must be a duration such as 30s, 15m, 1h or 1d")
                }
                asked.ttl = span
            }
            let hosted = try hub.create(asked)
            let origin = requestOrigin(request, fallback: fallbackOrigin)
            return HTTPResponse(status: 201, headers: HTTPHeaders([
                ("Content-Type", "application/json"), ("location", origin + "/__admin/sandboxes/" + hosted.id),
            ]), body: entry(hosted, origin: origin).serialized())
        } catch {
            return K2Responses.error(error.status, error.message)
        }
    }

    /// `{"id","name","scenario","seed","ttl","credentials":[{"client_id","client_secret","api_key"}],
    /// "tokens":[{"value","client_id"}],"clock":{"now","mode","scale"},"admin"}`.
    private func entry(_ hosted: HostedSandbox, origin: String) -> JSON {
        let sandbox = hosted.sandbox, scenario = sandbox.scenario
        return .object(JSONObject([
            ("id", .string(hosted.id)), ("name", .string(hosted.id)),
            ("scenario", .string(hosted.spec?.source ?? scenario.source)),
            ("seed", hosted.spec?.seed.map { .int($0) } ?? .null),
            ("ttl", hosted.spec?.ttl.map { .string($0.description) } ?? .null),
            ("credentials", .array(scenario.credentials.map { client in
                ["client_id": .string(client.clientID), "client_secret": .string(client.clientSecret), "api_key": .string(client.apiKey)]
            })),
            ("tokens", .array(scenario.tokens.map { token in ["value": .string(token.value), "client_id": .string(token.clientID)] })),
            ("clock", ["now": .string(sandbox.now().iso8601()), "mode": .string(sandbox.clockMode.rawValue),
                       "scale": .number(String(sandbox.clockScale))]),
            ("admin", .string(origin + "/__admin/sandboxes/" + hosted.id)),
        ]))
    }
}
