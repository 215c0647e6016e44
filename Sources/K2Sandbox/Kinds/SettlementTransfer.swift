import OrderedJSON

/// `settlement_transfer`: money moved to a merchant account, `POST /api/v1/settlement_transfers`
/// (k2-api.md §5.7); without a destination it is a blind transfer of the whole balance.
public struct SettlementTransfer: ResourceDefinition {
    public static let kind = ResourceKind("settlement_transfer")
    public static let collection = "settlement_transfers"
    public static let versions = [1]
    public static let stages: [Stage] = [.pending, .processed, .transferred, .failed]
    public static let finalStages: Set<Stage> = [.transferred, .failed]
    public static let ruleKeys: Set<RuleKey> = [.amount, .destinationType, .metadata]
    public static let summary =
        "to a merchant account (its id or `account_reference`), or blind (no destination, `amount.value` null); the transfer stages below"
    /// Its create request's JSON Schema (the OpenAPI document's), as its reader below reads it.
    public static let requestSchema: JSON = Schema.object([
        "destination_type": Schema.string, "destination_reference": Schema.string, "amount": Schema.amount,
        "metadata": Schema.metadata, "_links": Schema.linksIn,
    ], required: ["_links"])
    /// A create request it accepts (with the default scenario's pay recipient).
    public static let requestExample: JSON = ["_links": Schema.exampleLinks]

    /// nil for a blind transfer.
    let amount: Money?
    let destinationType: String?
    let metadata: JSONObject
    public let callbackURL: String?
    /// Drawn at creation: the destination's label and reference (a new one when blind).
    let destinationLabel: String
    let destinationReference: String
    let transactionReference: String

    public init(request body: JSONObject, context: inout CreationContext) throws(RequestError) {
        let reader = BodyReader(body)
        if let amount = try reader.object("amount"), !(amount["value"]?.isNull ?? true) {
            self.amount = try reader.amountObject("amount")
        } else {
            self.amount = nil
        }
        destinationType = try reader.optionalString("destination_type")
        let destination = try reader.optionalString("destination_reference")
        let destinations = context.kinds.definitions.compactMap { $0 as? any SettlementDestination.Type }
        let names = destinations.map { $0.kind.rawValue }.sorted()
        if let destinationType, !names.contains(destinationType) {
            throw RequestError("destination_type '\(destinationType)' is not one of \(names.joined(separator: ", "))")
        }
        if (destinationType == nil) != (destination == nil) {
            throw RequestError("destination_type and destination_reference go together (or both absent for a blind transfer)")
        }
        metadata = try reader.metadata()
        callbackURL = try reader.callbackURL()
        var label = "Bank Account", reference = context.uuid()
        if let destinationType, let destination,
           let kind = destinations.first(where: { $0.kind.rawValue == destinationType }) {
            guard context.exists(kind.kind, destination) else {
                throw RequestError("destination_reference '\(destination)' is not a known \(destinationType)")
            }
            label = kind.settlementLabel
            reference = destination
        }
        destinationLabel = label
        destinationReference = reference
        transactionReference = context.reference()
    }

    public var facts: MatchFacts {
        MatchFacts(amountsCents: amount.map { [$0.cents] } ?? [], destinationTypes: destinationType.map { [$0] } ?? [],
                   metadata: metadata.stringValues)
    }

    public func document(id: String, lifecycle: Lifecycle) -> JSON {
        Self.document(id: id, attributes: TransferAttributes(
            lifecycle: lifecycle, amount: amount, destinationLabel: destinationLabel,
            destinationReference: destinationReference, transactionReference: transactionReference,
            metadata: metadata, callbackURL: callbackURL))
    }
}

/// A kind settlement transfers may name as `destination_type` (a merchant account).
public protocol SettlementDestination: ResourceDefinition {
    /// How a transfer's disbursement names it (`destination_type`: "Bank Account").
    static var settlementLabel: String { get }
}
