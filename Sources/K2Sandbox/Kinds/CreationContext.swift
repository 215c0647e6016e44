import OrderedJSON

/// What a kind may read and draw while it is created: the sandbox time, the id and reference
/// streams, the resources that exist (to check what a request refers to) and the buygoods
/// transactions received so far (for polling). Lent by the sandbox under its lock.
public struct CreationContext: Sendable {
    /// Sandbox time of the creation.
    public let now: Timestamp
    var ids: IdentifierSource
    let store: ResourceStore
    let transactions: TransactionLog
    /// The kinds the sandbox serves.
    public let kinds: KindRegistry
    /// Strings many resources repeat (`shared`).
    var strings = StringPool()

    /// A new lowercase UUID from the id stream.
    public mutating func uuid() -> String { ids.uuid() }

    /// A new M-PESA style reference (uppercase letters and digits) from the reference stream.
    public mutating func reference(length: Int = 10) -> String { ids.reference(length: length) }

    /// `text`, sharing its storage with an equal string kept before: for values many resources
    /// repeat (a callback URL, a recipient's reference), so a million payments keep one copy.
    public mutating func shared(_ text: String) -> String { strings.shared(text) }

    /// Whether a resource of `kind` exists (fixture or created) with this id or reference.
    public func exists(_ kind: ResourceKind, _ idOrReference: String) -> Bool {
        store.find(kind, idOrReference) != nil
    }

    /// The created resource of type `D` with this id or reference; nil for fixtures and
    /// unknown ones.
    public func record<D: ResourceDefinition>(_ type: D.Type, _ idOrReference: String) -> D? {
        store.find(D.kind, idOrReference)?.created?.record as? D
    }

    /// The buygoods transaction the sandbox received with this M-PESA reference, if any.
    public func receivedTransaction(reference: String) -> JSONObject? {
        transactions.transaction(reference: reference)
    }

    /// Buygoods transactions the sandbox received (fired events) from `from` to `to`
    /// inclusive, for till `till` (nil: every till), oldest first.
    public func receivedTransactions(from: Timestamp, to: Timestamp, till: String?) -> [JSONObject] {
        transactions.received(from: from, to: to, till: till)
    }
}

/// Strings kept once: at most `limit` distinct ones (long enough to be stored out of line), so
/// values that never repeat cannot grow it without bound; past that, strings pass through.
struct StringPool: Sendable {
    private var kept: Set<String> = []
    static let limit = 4096
    var count: Int { kept.count }

    mutating func shared(_ text: String) -> String {
        // Up to 15 UTF-8 bytes a String is stored inline: nothing to share.
        guard text.utf8.count > 15 else { return text }
        if let index = kept.firstIndex(of: text) { return kept[index] }
        if kept.count < Self.limit { kept.insert(text) }
        return text
    }
}
