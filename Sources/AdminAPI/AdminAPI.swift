import K2HTTP
import K2Sandbox
import Locking
import MicroHTTP
import OrderedJSON
import Transcripts

/// k2mock's own control surface under `/__admin` (CONTRACT §4): health, the clock, reset, the
/// callback journal, and the sandboxes beside the server's own. Every endpoint serves the
/// sandbox the request's context names (`/__admin/sandboxes/{id}/...`, else the server's own).
/// Needs no K2 bearer token.
public struct AdminAPI: Sendable {
    public let hub: SandboxHub
    /// The server's own origin, for requests whose `Host` does not say it.
    let fallbackOrigin: @Sendable () -> String
    /// Each sandbox's open change streams, made on first use.
    private let streams = Locked<[ObjectIdentifier: ChangeStreams]>([:])
    /// The OpenAPI document's bytes (`GET /__admin/openapi.json`), built by the server, which
    /// sees every API module.
    private let openAPIDocument: @Sendable () -> [UInt8]
    /// Says why (`GET /__admin/explain`): the server's explainer, which sees the K2 routes.
    private let explain: @Sendable (ExplainQuery, HostedSandbox) -> JSON?

    /// What `GET /__admin/explain` is asked about.
    public enum ExplainQuery: Sendable {
        case request(Int)
        case resource(String)
    }

    /// The admin API over the sandboxes of `hub`; `explain` answers `/__admin/explain` (nil:
    /// nothing of that id), `openAPIDocument` answers `/__admin/openapi.json`.
    public init(hub: SandboxHub, fallbackOrigin: @escaping @Sendable () -> String,
                explain: @escaping @Sendable (ExplainQuery, HostedSandbox) -> JSON?,
                openAPIDocument: @escaping @Sendable () -> [UInt8]) {
        self.hub = hub
        self.fallbackOrigin = fallbackOrigin
        self.explain = explain
        self.openAPIDocument = openAPIDocument
    }

    /// Paths under `/__admin` served without the admin token: the dashboard's page and its
    /// assets, which hold no sandbox data (the page asks for the token itself).
    public static let openPaths: Set<String> = Set(DashboardPage.assets.keys)

    /// The endpoints of one sandbox.
    private func admin(_ context: RequestContext) -> SandboxAdmin {
        let hosted = context.hosted
        let streams = self.streams.withLock { streams in
            if let existing = streams[ObjectIdentifier(hosted)] { return existing }
            let made = ChangeStreams(sandbox: hosted.sandbox)
            streams[ObjectIdentifier(hosted)] = made
            return made
        }
        return SandboxAdmin(runner: hosted.runner, fallbackOrigin: fallbackOrigin, streams: streams)
    }

    /// An endpoint of the sandbox the context names.
    private func scoped(_ handle: @escaping @Sendable (SandboxAdmin, HTTPRequest, inout RequestContext) -> HTTPHandling) -> Endpoint {
        .open { request, context in handle(admin(context), request, &context) }
    }

    /// Adds every `/__admin` route.
    package func register(into routes: inout Routes) {
        SandboxRoutes(hub: hub, fallbackOrigin: fallbackOrigin, forget: { hosted in
            streams.withLock { $0.removeValue(forKey: ObjectIdentifier(hosted)) }?.closeAll()
        }).register(into: &routes)
        routes.add("GET", "/__admin/health", scoped { admin, _, _ in
            let sandbox = admin.sandbox, counts = sandbox.deliveryCounts()
            return .respond(K2Responses.json(200, Health(
                scenario: sandbox.scenario.source, clock: sandbox.clockMode.rawValue,
                deliveries: .init(pending: counts.pending, delivered: counts.delivered, failed: counts.failed))))
        })
        routes.add("GET", "/__admin/clock", scoped { admin, _, _ in
            .respond(K2Responses.json(200, admin.clockStatus()))
        })
        routes.add("POST", "/__admin/clock/advance", scoped { admin, request, _ in
            admin.advance(request)
        })
        routes.add("POST", "/__admin/reset", scoped { admin, _, _ in
            admin.sandbox.reset()
            return .respond(K2Responses.json(200, admin.clockStatus()))
        })
        routes.add("GET", "/__admin/requests", scoped { admin, request, _ in
            guard let limit = admin.limit(request) else { return .respond(admin.badLimit()) }
            let entries: [JSON] = admin.sandbox.requests().suffix(limit ?? Int.max).map { record in
                ["id": .int(record.id), "at": .string(record.at.iso8601()), "method": .string(record.method),
                 "path": .string(record.path), "status": .int(record.status)]
            }
            return .respond(K2Responses.bytes(200, JSON.array(entries).serialized()))
        })
        let explain = self.explain
        routes.add("GET", "/__admin/explain", scoped { _, request, context in
            .respond(Self.explanation(request, context.hosted, explain))
        })
        routes.add("GET", "/__admin/transcript", scoped { admin, request, context in
            .respond(admin.transcript(request, context.hosted))
        })
        routes.add("POST", "/__admin/transcript/diff", .open { request, _ in
            .respond(transcriptDiff(request))
        })
        routes.add("GET", "/__admin/resources", scoped { admin, request, _ in
            admin.resources(request)
        })
        routes.add("GET", "/__admin/stream", scoped { admin, _, _ in
            admin.streams.open()
        })
        routes.add("GET", "/__admin/kinds", scoped { admin, _, _ in
            .respond(K2Responses.bytes(200, admin.kinds().serialized()))
        })
        let openAPIDocument = self.openAPIDocument
        routes.add("GET", "/__admin/openapi.json", .open { _, _ in
            .respond(HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: openAPIDocument()))
        })
        // Built on first request, not at start, as the OpenAPI document is.
        let kinds = hub.primary.sandbox.kinds, scenarioSchema = Locked<[UInt8]?>(nil)
        routes.add("GET", "/__admin/scenario-schema.json", .open { _, _ in
            let body = scenarioSchema.withLock { cached in
                if let cached { return cached }
                let bytes = Array(ScenarioSchema.json(kinds: kinds).prettyPrinted().utf8)
                cached = bytes
                return bytes
            }
            return .respond(HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/schema+json")]), body: body))
        })
        routes.add("GET", "/__admin/topics", .open { _, _ in
            .respond(K2Responses.bytes(200, JSON.array(WebhookTopic.all.map { .string($0.rawValue) }).serialized()))
        })
        for (path, asset) in DashboardPage.assets {
            let response = HTTPResponse(status: 200, headers: HTTPHeaders([
                ("Content-Type", asset.contentType), ("Cache-Control", "no-cache"),
            ]), body: asset.bytes)
            routes.add("GET", path, .open { _, _ in .respond(response) })
        }
        routes.add("GET", "/__admin/expectations", scoped { admin, _, _ in
            let results = admin.sandbox.verify()
            let answer: JSON = [
                "passed": .bool(results.allSatisfy(\.passed)),
                "results": .array(results.map { result in
                    ["description": .string(result.description), "expected": .int(result.expectation.count),
                     "actual": .int(result.actual), "passed": .bool(result.passed)]
                }),
            ]
            return .respond(K2Responses.bytes(200, answer.serialized()))
        })
        routes.add("POST", "/__admin/events", scoped { admin, request, context in
            admin.fireEvent(request, &context.durability)
        })
        routes.add("GET", "/__admin/callbacks", scoped { admin, request, _ in
            guard let limit = admin.limit(request) else { return .respond(admin.badLimit()) }
            var deliveries = admin.sandbox.deliveries()
            if let about = request.query.first(where: { $0.name == "resource_id" })?.value {
                deliveries = deliveries.filter { $0.kind == .callback && $0.subjectID.lowercased() == about.lowercased() }
            }
            return .respond(K2Responses.bytes(200, JSON.array(deliveries.suffix(limit ?? Int.max).map(admin.journalEntry)).serialized()))
        })
        routes.add("POST", "/__admin/callbacks/:id/redeliver", scoped { admin, _, context in
            let parameters = context.parameters
            guard let id = parameters["id"].flatMap({ Int($0) }) else {
                return .respond(K2Responses.error(404, "No delivery \(parameters["id"] ?? "")"))
            }
            return .deferred {
                guard let delivery = await admin.runner.redeliver(id) else {
                    return K2Responses.error(404, "No delivery \(id)")
                }
                return K2Responses.bytes(200, admin.journalEntry(delivery).serialized())
            }
        })
    }
}

/// The admin endpoints' work for one sandbox.
struct SandboxAdmin: Sendable {
    let runner: SandboxRunner
    var sandbox: Sandbox { runner.sandbox }
    let fallbackOrigin: @Sendable () -> String
    let streams: ChangeStreams

    /// Every resource, fixtures first, then created ones oldest first:
    /// `[{"kind","id","stage","created_at","timeline","path","body"}]`, `timeline` as
    /// `[{"stage","at","reached"}]` (when reached, or due) and `body` as `GET path` answers it.
    func resources(_ request: HTTPRequest) -> HTTPHandling {
        let origin = requestOrigin(request, fallback: fallbackOrigin)
        var entries: [JSON] = []
        for resource in sandbox.resources() {
            entries.append(.object(JSONObject([
                ("kind", .string(resource.kind.rawValue)), ("id", .string(resource.id)),
                ("stage", resource.stage.map { .string($0.rawValue) } ?? .null),
                ("created_at", resource.createdAt.map { .string($0.iso8601()) } ?? .null),
                ("timeline", .array(resource.steps.map { step in
                    ["stage": .string(step.stage.rawValue), "at": .string(step.at.iso8601()), "reached": .bool(step.reached)]
                })),
                ("path", .string(resource.path)),
                ("body", (try? JSON.parse(resource.body(origin: origin))) ?? .null),
            ])))
        }
        return .respond(K2Responses.bytes(200, JSON.array(entries).serialized()))
    }

    /// `?limit=N` (one to nine digits, more than the journals keep): `.some(N)`; no limit:
    /// `.some(nil)`; anything else: nil.
    func limit(_ request: HTTPRequest) -> Int?? {
        guard let text = request.query.first(where: { $0.name == "limit" })?.value else { return .some(nil) }
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ (48...57).contains($0) }), let limit = Int(text) else {
            return nil
        }
        return .some(limit)
    }

    func badLimit() -> HTTPResponse {
        K2Responses.error(400, "limit must be a whole number of entries from 0 to 999999999 (the last N are listed)")
    }

    /// Every kind with stages, in the registry's order: `[{"kind","stages","final"}]`.
    func kinds() -> JSON {
        .array(sandbox.kinds.definitions.filter { !$0.stages.isEmpty }.map { definition in
            ["kind": .string(definition.kind.rawValue), "stages": .array(definition.stages.map { .string($0.rawValue) }),
             "final": .array(definition.stages.filter(definition.finalStages.contains).map { .string($0.rawValue) })]
        })
    }

    func clockStatus() -> ClockStatus {
        ClockStatus(now: sandbox.now().iso8601(), mode: sandbox.clockMode.rawValue, scale: sandbox.clockScale)
    }

    /// `{"seconds": N}` (whole or fractional, not negative). Answers once everything that fell
    /// due has run, deliveries included, so it runs as deferred work, off the server's threads.
    func advance(_ request: HTTPRequest) -> HTTPHandling {
        let body: JSON
        do {
            body = try JSON.parse(request.body.isEmpty ? Array("{}".utf8) : request.body)
        } catch {
            return .respond(K2Responses.error(400, "Malformed JSON in request body: \(error)"))
        }
        guard let lexeme = body["seconds"]?.numberLexeme ?? body["seconds"]?.stringValue,
              let seconds = Double(lexeme), seconds.isFinite, seconds >= 0, seconds <= SandboxClock.maxAdvanceSeconds else {
            return .respond(K2Responses.error(400, "Body must be {\"seconds\": N} with N a number of seconds from 0 to 10000000000 (about 317 years)"))
        }
        let span = TimeSpan(milliseconds: Int64((seconds * 1000).rounded()))
        return .deferred {
            let advance = await runner.advance(by: span)
            if let stoppedAt = advance.stoppedShortAt {
                return K2Responses.error(503, "k2mock is stopping: the clock stopped at \(stoppedAt.iso8601()), before everything due had run")
            }
            let ran = advance.happened
            let status = clockStatus()
            let answer: JSON = [
                "now": .string(status.now), "mode": .string(status.mode), "scale": .number(String(status.scale)),
                "ran": .array(ran.map(ranEntry)),
            ]
            return K2Responses.bytes(200, answer.serialized())
        }
    }

    /// The sandbox's transcript (`TranscriptWriter`) as UTF-8 text. With `?snapshot=true`,
    /// refused (409, saying why) when a snapshot of it could never match again: a real clock,
    /// or no seed.
    func transcript(_ request: HTTPRequest, _ hosted: HostedSandbox) -> HTTPResponse {
        if let snapshot = request.query.first(where: { $0.name == "snapshot" })?.value, snapshot == "true" || snapshot == "1",
           let reason = TranscriptWriter.whyNotReproducible(sandbox) {
            return K2Responses.error(409, reason)
        }
        let text = TranscriptWriter.transcript(of: hosted)
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]),
                            body: Array(text.utf8))
    }

    private func ranEntry(_ occurrence: Occurrence) -> JSON {
        switch occurrence {
        case .stageChange(let change):
            return ["at": .string(change.at.iso8601()), "resource": .string(change.kind.rawValue),
                    "id": .string(change.id), "stage": .string(change.stage.rawValue)]
        case .event(let event):
            return eventEntry(event)
        case .attempt(let job, let result):
            return ["at": .string(job.due.iso8601()), "callback": .int(job.deliveryID), "attempt": .int(job.attempt),
                    "url": .string(job.url), "status": result.status.map { .int($0) } ?? .null,
                    "error": result.error.map(JSON.string) ?? .null,
                    "outcome": .string(result.isSuccess ? "delivered" : "failed")]
        }
    }

    private func eventEntry(_ event: FiredEvent) -> JSON {
        ["at": .string(event.at.iso8601()), "event": .string(event.topic.rawValue), "id": .string(event.id),
         "deliveries": .array(event.deliveryIDs.map { .int($0) })]
    }

    /// `{"topic": ..., "resource": {...}, "delay": "30s", "duplicates": 1, "bad_signature": true}`:
    /// fires a webhook event now. On a manual clock its deliveries are made before the answer.
    func fireEvent(_ request: HTTPRequest, _ durability: inout Durability) -> HTTPHandling {
        let body: JSON
        do { body = try JSON.parse(request.body) } catch {
            return .respond(K2Responses.error(400, "Malformed JSON in request body: \(error)"))
        }
        guard body.objectValue != nil else {
            return .respond(K2Responses.error(400, "Request body must be a JSON object, not \(body.kindName)"))
        }
        guard let name = body["topic"]?.stringValue, let topic = WebhookTopic(rawValue: name) else {
            let topics = WebhookTopic.all.map(\.rawValue).joined(separator: ", ")
            return .respond(K2Responses.error(400, "topic must be one of \(topics)"))
        }
        var quirks = DeliveryQuirks()
        if let delay = body["delay"] {
            guard let text = delay.stringValue, let span = TimeSpan(parsing: text) else {
                return .respond(K2Responses.error(400, "delay must be a duration such as 500ms, 5s, 2m"))
            }
            quirks.delay = span
        }
        if let duplicates = body["duplicates"] {
            guard let count = duplicates.numberLexeme.flatMap({ Int($0) }), (0...100).contains(count) else {
                return .respond(K2Responses.error(400, "duplicates must be a whole number from 0 to 100"))
            }
            quirks.duplicates = count
        }
        quirks.badSignature = body["bad_signature"]?.boolValue ?? false
        guard body["resource"] == nil || body["resource"]?.objectValue != nil else {
            return .respond(K2Responses.error(400, "resource must be an object of fields for the event's resource"))
        }
        let fired = sandbox.fire(ScriptedEvent(topic: topic, resource: body["resource"]?.objectValue ?? JSONObject(), quirks: quirks),
                               owing: &durability)
        return .deferred {
            var ran: [JSON] = []
            if sandbox.clockMode == .manual {
                let advance = await runner.advance(by: .zero)
                if advance.stoppedShortAt != nil {
                    return K2Responses.error(503, "k2mock is stopping: the event's deliveries were not all made")
                }
                ran = advance.happened.map(ranEntry)
            }
            var answer = eventEntry(fired).objectValue ?? JSONObject()
            answer["ran"] = .array(ran)
            return K2Responses.bytes(200, JSON.object(answer).serialized())
        }
    }

    func journalEntry(_ delivery: Delivery) -> JSON {
        var entry = JSONObject([("id", .int(delivery.id)), ("kind", .string(delivery.kind.rawValue))])
        switch delivery.kind {
        case .callback:
            entry["resource"] = .string(delivery.subject)
            entry["resource_id"] = .string(delivery.subjectID)
        case .webhook:
            entry["topic"] = .string(delivery.subject)
            entry["event_id"] = .string(delivery.subjectID)
        }
        entry["url"] = .string(delivery.url)
        entry["outcome"] = .string(delivery.outcome.rawValue)
        entry["created_at"] = .string(delivery.createdAt.iso8601())
        entry["signature"] = .string(delivery.signature)
        entry["body"] = .string(String(decoding: delivery.body, as: UTF8.self))
        entry["attempts"] = .array(delivery.attempts.map { attempt in
            ["attempt": .int(attempt.number), "at": .string(attempt.at.iso8601()), "due": .string(attempt.due.iso8601()),
             "redelivery": .bool(attempt.redelivery),
             "status": attempt.status.map { .int($0) } ?? .null, "error": attempt.error.map(JSON.string) ?? .null,
             "latency_ms": .number(String(format3(attempt.latencyMilliseconds))),
             "outcome": .string(attempt.delivered ? "delivered" : attempt.interrupted ? "interrupted" : "failed")]
        })
        return .object(entry)
    }
}

/// Milliseconds to three decimals, as a JSON number lexeme.
private func format3(_ value: Double) -> String {
    let thousandths = Int64((value * 1000).rounded())
    let whole = thousandths / 1000, rest = thousandths % 1000
    return "\(whole).\(rest < 10 ? "00" : rest < 100 ? "0" : "")\(rest)"
}

struct Health: Encodable {
    struct Deliveries: Encodable {
        var pending: Int
        var delivered: Int
        var failed: Int
    }

    var status = "ok"
    var scenario: String
    var clock: String
    var deliveries: Deliveries
}

struct ClockStatus: Encodable {
    var now: String
    var mode: String
    var scale: Double
}

extension AdminAPI {
    /// `?request=ID` (a number of `GET /__admin/requests`) or `?resource=ID`: the explanation,
    /// 404 when there is nothing of that id, 400 when the query is neither.
    static func explanation(
        _ request: HTTPRequest, _ hosted: HostedSandbox, _ explain: @Sendable (ExplainQuery, HostedSandbox) -> JSON?
    ) -> HTTPResponse {
        let query = request.query
        if let text = query.first(where: { $0.name == "request" })?.value {
            guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ (48...57).contains($0) }), let id = Int(text), id > 0 else {
                return K2Responses.error(400, "request must be a request's id, a whole number from GET /__admin/requests")
            }
            guard let answer = explain(.request(id), hosted) else {
                let last = hosted.sandbox.requests().last?.id ?? 0
                return K2Responses.error(404, id > last
                    ? "No request \(id): this sandbox has answered \(last) K2 requests"
                    : "Request \(id) is no longer kept: the transcript keeps the latest 10,000 requests and attempts, "
                        + "and starts afresh when k2mock restarts")
            }
            return K2Responses.bytes(200, answer.serialized())
        }
        if let id = query.first(where: { $0.name == "resource" })?.value, !id.isEmpty {
            guard let answer = explain(.resource(id), hosted) else {
                return K2Responses.error(404, "No resource \(id) in this sandbox")
            }
            return K2Responses.bytes(200, answer.serialized())
        }
        return K2Responses.error(400, "Ask about ?request=ID (from GET /__admin/requests) or ?resource=ID")
    }
}

/// `{"expected": TEXT, "actual": TEXT}`, two transcripts: answers
/// `{"equal": BOOL, "differences": [STRING]}` (`TranscriptDiff`, expected as old), or 400 naming
/// the side and line that is not a transcript. Kits use it to say how a snapshot differs.
func transcriptDiff(_ request: HTTPRequest) -> HTTPResponse {
    guard let body = try? JSON.parse(request.body), let expected = body["expected"]?.stringValue,
          let actual = body["actual"]?.stringValue else {
        return K2Responses.error(400, "Body must be {\"expected\": TRANSCRIPT, \"actual\": TRANSCRIPT}, both strings")
    }
    do {
        let old = try TranscriptReader.read(expected, file: "expected")
        let new = try TranscriptReader.read(actual, file: "actual")
        let differences = TranscriptDiff(old: "expected", new: "actual").differences(old, new)
        let answer: JSON = ["equal": .bool(differences.isEmpty), "differences": .array(differences.map(JSON.string))]
        return K2Responses.bytes(200, answer.serialized())
    } catch {
        return K2Responses.error(400, error.description)
    }
}
