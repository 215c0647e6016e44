/// `pay_recipient`: whom a v1 payment pays, `POST /api/v1/pay_recipients` (k2-api.md §5.3).
public struct PayRecipient: RecipientDefinition {
    public static let kind = ResourceKind("pay_recipient")
    public static let collection = "pay_recipients"
    public static let versions = [1]
    public static let detailsKey = "pay_recipient"
    public static let showsNickname = false
    public static let summary =
        "the recipient of v1 pay requests: `{type, pay_recipient}` of type `mobile_wallet`, `bank_account`, `till` or `paybill`; `Approved` at once"

    public let details: RecipientDetails
    public init(details: RecipientDetails) { self.details = details }
}
