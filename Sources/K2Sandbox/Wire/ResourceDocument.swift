import OrderedJSON

/// `{"data":{"id","type","attributes":{...}}}`, the envelope of every K2 resource body.
public struct ResourceDocument<Attributes: Encodable & Sendable>: Encodable, Sendable {
    /// `data`: the resource's id, `type` and attributes.
    public struct Data: Encodable, Sendable {
        public var id: String
        public var type: String
        public var attributes: Attributes
    }

    public var data: Data

    /// The document of resource `id` of kind `type`.
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

    /// `self` is set when the body is served.
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
