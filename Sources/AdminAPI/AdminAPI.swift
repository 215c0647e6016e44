import K2API
import K2Sandbox
import MicroHTTP
import OrderedJSON

/// k2mock's own control surface under `/__admin` (CONTRACT §4): health, the clock, reset, the
/// callback journal. Needs no K2 bearer token.
public struct AdminAPI: Sendable {
    public let runner: SandboxRunner
    var sandbox: Sandbox { runner.sandbox }

    public init(runner: SandboxRunner) {
        self.runner = runner
    }

    public func register(into router: inout Router<RouteHandler>) {
        router.add("GET", "/__admin/health") { _, _ in
            .respond(K2Responses.json(200, Health(scenario: sandbox.scenario.source, clock: sandbox.clockMode.rawValue)))
        }
        router.add("GET", "/__admin/clock") { _, _ in
            .respond(K2Responses.json(200, clockStatus()))
        }
        router.add("POST", "/__admin/clock/advance") { request, _ in
            advance(request)
        }
        router.add("POST", "/__admin/reset") { _, _ in
            sandbox.reset()
            return .respond(K2Responses.json(200, clockStatus()))
        }
        router.add("GET", "/__admin/callbacks") { _, _ in
            .respond(K2Responses.bytes(200, JSON.array(sandbox.deliveries().map(journalEntry)).serialized()))
        }
        router.add("POST", "/__admin/callbacks/:id/redeliver") { _, parameters in
            guard let id = parameters["id"].flatMap({ Int($0) }) else {
                return .respond(K2Responses.error(404, "No delivery \(parameters["id"] ?? "")"))
            }
            return .deferred {
                guard let delivery = await runner.redeliver(id) else {
                    return K2Responses.error(404, "No delivery \(id)")
                }
                return K2Responses.bytes(200, journalEntry(delivery).serialized())
            }
        }
    }

    private func clockStatus() -> ClockStatus {
        ClockStatus(now: sandbox.now().iso8601(), mode: sandbox.clockMode.rawValue, scale: sandbox.clockScale)
    }

    /// `{"seconds": N}` (whole or fractional, not negative). Answers once everything that fell
    /// due has run, deliveries included, so it runs as deferred work, off the server's threads.
    private func advance(_ request: HTTPRequest) -> HTTPHandling {
        let body: JSON
        do {
            body = try JSON.parse(request.body.isEmpty ? Array("{}".utf8) : request.body)
        } catch {
            return .respond(K2Responses.error(400, "Malformed JSON in request body: \(error)"))
        }
        guard let lexeme = body["seconds"]?.numberLexeme ?? body["seconds"]?.stringValue,
              let seconds = Double(lexeme), seconds.isFinite, seconds >= 0, seconds < 1e12 else {
            return .respond(K2Responses.error(400, "Body must be {\"seconds\": N} with N a number of seconds, not negative"))
        }
        let span = TimeSpan(milliseconds: Int64((seconds * 1000).rounded()))
        return .deferred {
            let ran = await runner.advance(by: span)
            let status = clockStatus()
            let answer: JSON = [
                "now": .string(status.now), "mode": .string(status.mode), "scale": .number(String(status.scale)),
                "ran": .array(ran.map(ranEntry)),
            ]
            return K2Responses.bytes(200, answer.serialized())
        }
    }

    private func ranEntry(_ event: RanEvent) -> JSON {
        switch event {
        case .transition(let transition):
            return ["at": .string(transition.at.iso8601()), "resource": .string(transition.kind.rawValue),
                    "id": .string(transition.id), "stage": .string(transition.stage.rawValue)]
        case .delivery(let job, let result):
            return ["at": .string(job.due.iso8601()), "callback": .int(job.deliveryID), "attempt": .int(job.attempt),
                    "url": .string(job.url), "status": result.status.map { .int($0) } ?? .null,
                    "error": result.error.map(JSON.string) ?? .null,
                    "outcome": .string(result.isSuccess ? "delivered" : "failed")]
        }
    }

    private func journalEntry(_ delivery: Delivery) -> JSON {
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
            ["attempt": .int(attempt.number), "at": .string(attempt.at.iso8601()),
             "status": attempt.status.map { .int($0) } ?? .null, "error": attempt.error.map(JSON.string) ?? .null,
             "latency_ms": .number(String(format3(attempt.latencyMilliseconds))),
             "outcome": .string(attempt.delivered ? "delivered" : "failed")]
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
    var status = "ok"
    var scenario: String
    var clock: String
}

struct ClockStatus: Encodable {
    var now: String
    var mode: String
    var scale: Double
}
