import K2HTTP
import K2Sandbox
import MicroHTTP
import OrderedJSON

/// What a webhook event's links point at (k2-api.md §6 gives the paths, not the answers):
/// `GET /webhook_events/:id` answers the event's envelope, `GET /<collection>/:id` its resource.
/// Bearer protected like the rest of the API.
struct WebhookEventRoutes: Sendable {
    let api: K2API

    /// The collections fired events' resources are served under (`_links.resource`).
    static var eventResourceCollections: [String] { Set(WebhookTopic.all.map(\.resourceCollection)).sorted() }

    func register(into routes: inout Routes) {
        routes.add("GET", "/webhook_events/:id", .authenticated { request, context in
            let id = context.parameters["id"] ?? ""
            guard let envelope = context.sandbox.webhookEvent(id, origin: api.origin(of: request)) else {
                return K2Responses.error(404, "No webhook event with id \(id)")
            }
            return K2Responses.bytes(200, envelope.serialized())
        })
        for collection in Self.eventResourceCollections {
            routes.add("GET", "/\(collection)/:id", .authenticated { _, context in
                let id = context.parameters["id"] ?? ""
                guard let resource = context.sandbox.eventResource(id, in: collection) else {
                    return K2Responses.error(404, "No \(collection) with id \(id)")
                }
                return K2Responses.bytes(200, resource.serialized())
            })
        }
    }
}
