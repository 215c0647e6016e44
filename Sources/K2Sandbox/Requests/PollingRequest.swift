import OrderedJSON

/// `POST /api/v{1,2}/polling` (k2-api.md §5.8).
public struct PollingRequest: Sendable {
    let scope: String
    let scopeReference: String?
    let fromTime: Timestamp
    let toTime: Timestamp
    let fromText: String
    let toText: String
    let callbackURL: String?

    public init(body: JSONObject) throws(RequestError) {
        let reader = BodyReader(body)
        scope = try reader.string("scope").lowercased()
        guard scope == "till" || scope == "company" else { throw RequestError("scope must be till or company") }
        let reference = try reader.optionalString("scope_reference")
        scopeReference = (reference?.isEmpty ?? true) ? nil : reference
        if scope == "till", scopeReference == nil { throw RequestError("scope_reference (the till number) is required for scope till") }
        fromText = try reader.string("from_time")
        toText = try reader.string("to_time")
        guard let from = Timestamp(iso8601: fromText) else { throw RequestError("from_time '\(fromText)' is not an ISO-8601 time") }
        guard let to = Timestamp(iso8601: toText) else { throw RequestError("to_time '\(toText)' is not an ISO-8601 time") }
        guard from <= to else { throw RequestError("from_time must not be after to_time") }
        fromTime = from
        toTime = to
        callbackURL = try reader.callbackURL()
    }
}
