import K2API
import K2Sandbox
import MicroHTTP
import OrderedJSON

/// k2mock's own control surface under `/__admin` (CONTRACT §4): health, the clock, reset.
/// Needs no K2 bearer token.
public struct AdminAPI: Sendable {
    public let sandbox: Sandbox

    public init(sandbox: Sandbox) {
        self.sandbox = sandbox
    }

    public func register(into router: inout Router<RouteHandler>) {
        router.add("GET", "/__admin/health") { _, _ in
            .respond(K2Responses.json(200, Health(scenario: sandbox.scenario.source, clock: sandbox.clockMode.rawValue)))
        }
        router.add("GET", "/__admin/clock") { _, _ in
            .respond(K2Responses.json(200, clockStatus()))
        }
        router.add("POST", "/__admin/clock/advance") { request, _ in
            .respond(advance(request))
        }
        router.add("POST", "/__admin/reset") { _, _ in
            sandbox.reset()
            return .respond(K2Responses.json(200, clockStatus()))
        }
    }

    private func clockStatus() -> ClockStatus {
        ClockStatus(now: sandbox.now().iso8601(), mode: sandbox.clockMode.rawValue, scale: sandbox.clockScale)
    }

    /// `{"seconds": N}` (whole or fractional, not negative); answers the new time.
    private func advance(_ request: HTTPRequest) -> HTTPResponse {
        let body: JSON
        do {
            body = try JSON.parse(request.body.isEmpty ? Array("{}".utf8) : request.body)
        } catch {
            return K2Responses.error(400, "Malformed JSON in request body: \(error)")
        }
        guard let lexeme = body["seconds"]?.numberLexeme ?? body["seconds"]?.stringValue,
              let seconds = Double(lexeme), seconds.isFinite, seconds >= 0, seconds < 1e12 else {
            return K2Responses.error(400, "Body must be {\"seconds\": N} with N a number of seconds, not negative")
        }
        let ran = sandbox.advance(by: TimeSpan(milliseconds: Int64((seconds * 1000).rounded())))
        let status = clockStatus()
        return K2Responses.json(200, AdvanceResult(
            now: status.now, mode: status.mode, scale: status.scale,
            ran: ran.map { RanEvent(at: $0.at.iso8601(), resource: $0.kind.rawValue, id: $0.id, stage: $0.stage.rawValue) }))
    }
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

/// What `clock/advance` answers: the new time and every event that ran, in the order it ran.
struct AdvanceResult: Encodable {
    var now: String
    var mode: String
    var scale: Double
    var ran: [RanEvent]
}

struct RanEvent: Encodable {
    var at: String
    var resource: String
    var id: String
    var stage: String
}
