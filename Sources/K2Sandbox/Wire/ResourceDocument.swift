import OrderedJSON

/// `{"data":{"id","type","attributes":{...}}}`, the envelope of every K2 resource body.
public struct ResourceDocument<Attributes: Encodable & Sendable>: Encodable, Sendable {
    public struct Data: Encodable, Sendable {
        public var id: String
        public var type: String
        public var attributes: Attributes
    }

    public var data: Data

    public init(id: String, type: String, attributes: Attributes) {
        data = Data(id: id, type: type, attributes: attributes)
    }
}

/// `_links`: where the result is POSTed, and where the resource lives (set when served).
public struct ResourceLinks: Encodable, Sendable {
    public var callback_url: String?
    public var selfURL: String

    enum CodingKeys: String, CodingKey {
        case callback_url
        case selfURL = "self"
    }

    public init(callbackURL: String?, selfURL: String = "") {
        callback_url = callbackURL
        self.selfURL = selfURL
    }
}

/// `{"currency":"KES","value":20000}`.
public struct AmountValue: Encodable, Sendable {
    public var currency: String
    public var value: JSON
}
