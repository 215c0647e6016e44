import K2MockServer
import K2Sandbox
import MicroHTTP
import OrderedJSON
import Testing

private let auth = [("Authorization", "Bearer \(docsToken)"), ("Content-Type", "application/json")]
private let origin = "http://127.0.0.1:8080"

/// Every URL of this server that a body or event carries.
private func ownLinks(in json: JSON) -> [String] {
    switch json {
    case .string(let text): text.hasPrefix(origin) ? [text] : []
    case .object(let object): object.flatMap { ownLinks(in: $0.value) }
    case .array(let items): items.flatMap(ownLinks)
    default: []
    }
}

@Suite struct LinksResolveTests {
    @Test func everyLinkInEveryKindsBodyAnswers() async throws {
        let server = makeServer()
        for definition in KindRegistry.standard.definitions where !definition.createVersions.isEmpty {
            // Each kind's own example, the one its OpenAPI create shows.
            let body = definition.requestExample.compactString
            for version in definition.createVersions {
                let path = try await server.create("/api/v\(version)/\(definition.collection)", body)
                _ = await server.advance(60)
                let links = ownLinks(in: await server.get(path))
                #expect(!links.isEmpty)
                for link in links {
                    #expect(await server.send("GET", String(link.dropFirst(origin.count)), headers: auth).status == 200, "\(link)")
                }
            }
        }
    }

    @Test func everyLinkInEveryEventAnswersWithABearerTokenOnly() async throws {
        let transport = FakeTransport()
        let server = makeServer(transport: transport)
        for topic in WebhookTopic.all {
            _ = try await server.create("/api/v2/webhook_subscriptions",
                                        #"{"event_type":"\#(topic.rawValue)","url":"https://receiver.test/\#(topic.rawValue)","scope":"company"}"#)
            _ = await server.send("POST", "/__admin/events", body: #"{"topic":"\#(topic.rawValue)"}"#)
        }
        #expect(transport.sent.count == WebhookTopic.all.count)
        for job in transport.sent {
            let envelope = try JSON.parse(job.body)
            let links = ownLinks(in: envelope["_links"] ?? .null)
            #expect(links.count == 2)
            for link in links {
                let path = String(link.dropFirst(origin.count))
                let answer = await server.send("GET", path, headers: auth)
                #expect(answer.status == 200, "\(link): \(answer.text)")
                #expect(await server.send("GET", path).status == 401)
            }
            let shown = await server.send("GET", String(links[0].dropFirst(origin.count)), headers: auth)
            #expect(shown.body == job.body, "the event at its self link is the envelope that was delivered")
            let resource = await server.send("GET", String(links[1].dropFirst(origin.count)), headers: auth).json
            #expect(resource?["data"]?["attributes"] == envelope["event"]?["resource"])
        }
        #expect(await server.send("GET", "/webhook_events/nope", headers: auth).status == 404)
    }
}
