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

    public let details: RecipientDetails
    public init(details: RecipientDetails) { self.details = details }
}
