import OrderedJSON

/// A v1 payment (`type: payment`) or settlement transfer as its GET answers it (k2-api.md §5.4, §5.7).
public struct PaymentAttributes: Encodable, Sendable {
    public var status: String
    public var created_at: String
    /// When the money moved (null until then); the Python SDK's decomposer reads it.
    public var origination_time: String?
    public var amount: AmountValue
    public var transfer_batches: [TransferBatch]
    public var errors: String?
    public var metadata: JSON
    public var _links: ResourceLinks
}

/// One batch of a payment: its disbursements move together.
public struct TransferBatch: Encodable, Sendable {
    public var status: String
    public var disbursements: [Disbursement]
}

/// One disbursement of a v1 payment.
public struct Disbursement: Encodable, Sendable {
    public var amount: String
    public var status: String
    public var destination_type: String
    public var origination_time: String?
    public var destination_reference: String
    public var transaction_reference: String?
}
