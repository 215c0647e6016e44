import OrderedJSON
/// `external_recipient`: whom v2 send money pays, `POST /api/v2/external_recipients`
/// (k2-api.md §5.3). Its GET mirrors the v1 recipient's attributes, with `nickname`.
public struct ExternalRecipient: RecipientDefinition {
    public static let kind = ResourceKind("external_recipient")
    public static let collection = "external_recipients"
    public static let versions = [2]
    public static let detailsKey = "external_recipient"
    public static let showsNickname = true
    public static let summary =
        "whom v2 send money pays: `{type, external_recipient}`; `Approved` at once"
    /// Its create request's JSON Schema (the OpenAPI document's), as its reader below reads it.
    public static let requestSchema: JSON = Schema.object([
        "type": Schema.recipientType,
        "external_recipient": ["type": "object", "description": "the recipient's details for its type"],
    ], required: ["type"])
    /// A create request it accepts (with the default scenario's pay recipient).
    public static let requestExample: JSON = ["type": "till", "external_recipient": ["till_name": "Shop", "till_number": "555555", "nickname": "shop"]]

    public let details: RecipientDetails
    public init(details: RecipientDetails) { self.details = details }
}
