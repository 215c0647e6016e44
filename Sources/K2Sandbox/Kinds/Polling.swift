import OrderedJSON

/// `polling`: a request for the buygoods transactions of a window, `POST /api/v{1,2}/polling`
/// (k2-api.md §5.8).
public struct Polling: ResourceDefinition {
    public static let kind = ResourceKind("polling")
    public static let collection = "polling"
    public static let versions = [1, 2]
    public static let stages: [Stage] = [.pending, .success, .failed]
    public static let finalStages: Set<Stage> = [.success, .failed]
    public static let ruleKeys: Set<RuleKey> = [.tillNumber]
    public static let summary =
        "`{scope, scope_reference, from_time, to_time}`; at `Success` lists the buygoods transactions the sandbox received (fired events) in the window and scope"
    /// Its create request's JSON Schema (the OpenAPI document's), as its reader below reads it.
    public static let requestSchema: JSON = Schema.object([
        "scope": Schema.scope, "scope_reference": Schema.string, "from_time": Schema.string, "to_time": Schema.string,
        "_links": Schema.linksIn,
    ], required: ["scope", "from_time", "to_time", "_links"])
    /// A create request it accepts (with the default scenario's pay recipient).
    public static let requestExample: JSON = [
        "scope": "company", "scope_reference": "", "from_time": "2021-01-28T09:00:00+03:00",
        "to_time": "2021-01-28T11:00:00+03:00", "_links": Schema.exampleLinks,
    ]

    let scope: String
    let scopeReference: String?
    let fromText: String
    let toText: String
    public let callbackURL: String?
    /// The buygoods transactions in the window, as they stood when polling was requested.
    let transactions: [JSON]

    public init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
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
        callbackURL = try reader.callbackURL()
        transactions = context.receivedTransactions(from: from, to: to, till: scope == "company" ? nil : scopeReference)
            .map { ["type": "Buygoods Transaction", "resource": .object($0)] }
    }

    public var facts: MatchFacts { MatchFacts(tillNumber: scopeReference) }

    public func document(id: String, lifecycle: Lifecycle) -> JSON {
        let stage = lifecycle.stage ?? .pending
        return Self.document(id: id, attributes: [
            "status": .string(stage.rawValue), "created_at": .string(lifecycle.createdAt.iso8601()),
            "from_time": .string(fromText), "to_time": .string(toText),
            "transactions": .array(stage == .success ? transactions : []),
            "scope": .string(scope == "till" ? "Till" : "Company"),
            "scope_reference": scopeReference.map(JSON.string) ?? .null,
            "errors": lifecycle.failure.map(JSON.string) ?? .null, "metadata": [:],
            "_links": ["callback_url": callbackURL.map(JSON.string) ?? .null, "self": ""],
        ] as JSON)
    }
}
