import OrderedJSON

/// The buygoods transactions the sandbox received (fired events of a topic that polling
/// lists), oldest first.
struct TransactionLog: Sendable {
    private var entries: [(at: Timestamp, till: String?, resource: JSONObject)] = []

    mutating func append(at time: Timestamp, resource: JSONObject) {
        entries.append((time, resource["till_number"]?.stringValue, resource))
    }

    /// Those from `from` to `to` inclusive (sandbox time), of till `till` (nil: every till).
    func received(from: Timestamp, to: Timestamp, till: String?) -> [JSONObject] {
        entries.filter { $0.at >= from && $0.at <= to && (till == nil || $0.till == till) }.map(\.resource)
    }
}
