import OrderedJSON

/// `pay_recipient`: whom a v1 payment pays, `POST /api/v1/pay_recipients` (k2-api.md §5.3).
public struct PayRecipient: ResourceDefinition {
    public static let kind = ResourceKind("pay_recipient")
    public static let collection = "pay_recipients"
    public static let versions = [1]
    public static let summary =
        "`POST /api/v1/pay_recipients` `{type, pay_recipient}`: `mobile_wallet`, `bank_account`, `till`, `paybill`; `Approved` at once"

    public let details: RecipientDetails

    public init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
        details = try RecipientDetails(body: body, detailsKey: "pay_recipient", context: &context)
    }

    public var references: [String] { [details.recipientReference] }

    public func document(id: String, lifecycle: Lifecycle) -> JSON {
        Self.document(id: id, attributes: details.attributes(withNickname: false))
    }
}
