import OrderedJSON

/// The buygoods transactions the sandbox received (fired events of a topic that polling
/// lists), oldest first.
struct TransactionLog: Sendable {
    private var entries: [(at: Timestamp, till: String?, resource: JSONObject)] = []

    mutating func append(at time: Timestamp, resource: JSONObject) {
        entries.append((time, resource["till_number"]?.stringValue, resource))
    }

    /// The transaction with this M-PESA reference, if the sandbox received it.
    func transaction(reference: String) -> JSONObject? {
        entries.last { $0.resource["reference"]?.stringValue == reference }?.resource
    }

    /// Those from `from` to `to` inclusive (sandbox time), of till `till` (nil: every till).
    func received(from: Timestamp, to: Timestamp, till: String?) -> [JSONObject] {
        entries.filter { $0.at >= from && $0.at <= to && (till == nil || $0.till == till) }.map(\.resource)
    }
}
