import OrderedJSON

/// A v2 send-money request (`type: send_money`) as its GET and callback show it (k2-api.md §5.5).
public struct SendMoneyAttributes: Encodable, Sendable {
    public var status: String
    public var created_at: String
    public var source_identifier: String?
    /// The destinations as requested (amounts as numbers).
    public var destinations: [JSON]
    public var currency: String
    public var transfer_batches: [SendMoneyTransferBatch]
    public var errors: String?
    public var metadata: JSON
    public var _links: ResourceLinks
}

/// One batch per destination.
public struct SendMoneyTransferBatch: Encodable, Sendable {
    public var status: String
    public var amount: String
    /// Each disbursement as JSON: its keys depend on the destination type.
    public var disbursements: [JSON]
}
