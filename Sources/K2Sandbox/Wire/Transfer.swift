import OrderedJSON

/// The v1 transfer body: a payment or a settlement transfer as its GET and callback show it
/// (k2-api.md §5.4, §5.7).
public struct TransferAttributes: Encodable, Sendable {
    public var status: String
    public var created_at: String
    /// When the money moved (null until then); the Python SDK's decomposer reads it.
    public var origination_time: String?
    public var amount: AmountValue
    public var transfer_batches: [TransferBatch]
    public var errors: String?
    public var metadata: JSON
    public var _links: ResourceLinks

    /// The body at the lifecycle's stage (CONTRACT §3): `Pending` has no batches; `Processed`
    /// one pending batch; `Transferred` shows `status: Processed` with the batch transferred,
    /// its `transaction_reference` and `origination_time`; `Failed` carries the reason in `errors`.
    public init(lifecycle: Lifecycle, amount: Money?, destinationLabel: String, destinationReference: String,
                transactionReference: String, metadata: JSONObject, callbackURL: String?) {
        let stage = lifecycle.stage ?? .pending
        let transferred = lifecycle.time(of: .transferred)
        var batches: [TransferBatch] = []
        if stage == .processed || stage == .transferred {
            let status = stage == .transferred ? "Transferred" : "Pending"
            batches = [TransferBatch(status: status, disbursements: [Disbursement(
                amount: (amount ?? Money(cents: 0)).decimalString, status: status, destination_type: destinationLabel,
                origination_time: transferred?.iso8601(), destination_reference: destinationReference,
                transaction_reference: stage == .transferred ? transactionReference : nil)])]
        }
        self.status = stage == .transferred ? "Processed" : stage.rawValue
        self.created_at = lifecycle.createdAt.iso8601()
        self.origination_time = transferred?.iso8601()
        self.amount = AmountValue(currency: "KES", value: amount?.valueJSON ?? .null)
        self.transfer_batches = batches
        self.errors = lifecycle.failure
        self.metadata = .object(metadata)
        self._links = ResourceLinks(callbackURL: callbackURL)
    }
}

/// One batch of a transfer: its disbursements move together.
public struct TransferBatch: Encodable, Sendable {
    public var status: String
    public var disbursements: [Disbursement]
}

/// One disbursement of a v1 transfer.
public struct Disbursement: Encodable, Sendable {
    public var amount: String
    public var status: String
    public var destination_type: String
    public var origination_time: String?
    public var destination_reference: String
    public var transaction_reference: String?
}
