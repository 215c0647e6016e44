import OrderedJSON
/// `pay_recipient`: whom a v1 payment pays, `POST /api/v1/pay_recipients` (k2-api.md §5.3).
public struct PayRecipient: RecipientDefinition {
    public static let kind = ResourceKind("pay_recipient")
    public static let collection = "pay_recipients"
    public static let versions = [1]
    public static let detailsKey = "pay_recipient"
    public static let showsNickname = false
    public static let summary =
        "the recipient of v1 pay requests: `{type, pay_recipient}` of type `mobile_wallet`, `bank_account`, `till` or `paybill`; `Approved` at once"
    /// Its create request's JSON Schema (the OpenAPI document's), as its reader below reads it.
    public static let requestSchema: JSON = Schema.object([
        "type": Schema.recipientType,
        "pay_recipient": ["type": "object", "description": "the recipient's details for its type"],
    ], required: ["type"])
    /// A create request it accepts (with the default scenario's pay recipient).
    public static let requestExample: JSON = [
        "type": "mobile_wallet",
        "pay_recipient": ["first_name": "Jane", "last_name": "Doe", "phone_number": "+254999999999", "network": "Safaricom"],
    ]

    public let details: RecipientDetails
    public init(details: RecipientDetails) { self.details = details }
}
