import OrderedJSON

/// Reading typed values out of a request body, with K2-style messages naming the field.
public struct BodyReader {
    let object: JSONObject
    let prefix: String

    /// Reads `object`; `prefix` names it in messages (`destinations[0].`).
    public init(_ object: JSONObject, prefix: String = "") {
        self.object = object
        self.prefix = prefix
    }

    /// The key as messages name it, with the prefix.
    public func name(_ key: String) -> String { prefix + key }

    /// A string, or a number taken as its text (SDKs send some ids as numbers); nil when absent or null.
    public func optionalString(_ key: String) throws(RequestError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case .number(let lexeme)?: return lexeme
        case let other?: throw RequestError("\(name(key)) must be a string, not \(other.kindName)")
        }
    }

    /// A non-empty string (or number as text); throws `RequestError` naming the key when absent.
    public func string(_ key: String) throws(RequestError) -> String {
        guard let value = try optionalString(key), !value.isEmpty else { throw RequestError("\(name(key)) is required") }
        return value
    }

    /// An object, or nil when absent or null; throws `RequestError` for another type.
    /// `""` and `[]` count as absent too: the Python SDK 1.x sends `"metadata": ""` and PHP
    /// encodes an empty array as `[]`, and K2 accepts both.
    public func object(_ key: String) throws(RequestError) -> JSONObject? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)? where text.isEmpty: return nil
        case .array(let items)? where items.isEmpty: return nil
        case .object(let value)?: return value
        case let other?: throw RequestError("\(name(key)) must be an object, not \(other.kindName)")
        }
    }

    /// `metadata` (or Ruby 3's `meta_data`): an object, `{}` when absent.
    public func metadata() throws(RequestError) -> JSONObject {
        if let metadata = try object("metadata") { return metadata }
        return try object("meta_data") ?? JSONObject()
    }

    /// `_links.callback_url`: an `http` or `https` URL, or absent (empty counts as absent).
    public func callbackURL() throws(RequestError) -> String? {
        guard let links = try object("_links") else { return nil }
        let reader = BodyReader(links, prefix: name("_links."))
        guard let url = try reader.optionalString("callback_url"), !url.isEmpty else { return nil }
        guard isHTTPURL(url) else {
            throw RequestError("\(reader.name("callback_url")) '\(url)' must be an http or https URL")
        }
        return url
    }

    /// An amount given as a number or a string.
    public func money(_ key: String) throws(RequestError) -> Money {
        guard let json = object[key], !json.isNull else { throw RequestError("\(name(key)) is required") }
        guard let money = Money(json), money.cents > 0 else {
            throw RequestError("\(name(key)) must be a positive amount with at most two decimals, not \(json.compactString)")
        }
        return money
    }

    /// `{"currency":"KES","value":...}`.
    public func amountObject(_ key: String) throws(RequestError) -> Money {
        guard let amount = try object(key) else { throw RequestError("\(name(key)) is required") }
        let reader = BodyReader(amount, prefix: name(key) + ".")
        try requireKES(reader.optionalString("currency"), field: reader.name("currency"))
        return try reader.money("value")
    }
}

/// Whether `text` is an absolute `http://` or `https://` URL with a host: the only URLs k2mock
/// POSTs to (libcurl would read `file://` or speak `gopher://` to any port).
public func isHTTPURL(_ text: String) -> Bool {
    guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0.isASCII }) else { return false }
    let lowered = text.lowercased()
    let rest: Substring
    if lowered.hasPrefix("http://") { rest = text.dropFirst(7) } else if lowered.hasPrefix("https://") { rest = text.dropFirst(8) } else { return false }
    let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    // [user[:password]@]host[:port], one @ at most.
    let parts = authority.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count <= 2, let hostAndPort = parts.last else { return false }
    var host = Substring(hostAndPort), port: Substring?
    if host.hasPrefix("[") {
        guard let close = host.firstIndex(of: "]") else { return false }
        let after = host[host.index(after: close)...]
        if !after.isEmpty {
            guard after.hasPrefix(":") else { return false }
            port = after.dropFirst()
        }
        host = host[...close]
        guard host.count > 2 else { return false }
    } else if let colon = host.lastIndex(of: ":") {
        port = host[host.index(after: colon)...]
        host = host[..<colon]
    }
    guard !host.isEmpty, !host.contains(":") || host.hasPrefix("[") else { return false }
    if let port {
        guard let number = Int(port), (1...65_535).contains(number), port.allSatisfy(\.isNumber) else { return false }
    }
    return true
}

/// K2 moves Kenyan shillings only.
public func requireKES(_ currency: String?, field: String) throws(RequestError) {
    guard let currency else { return }
    guard currency == "KES" else { throw RequestError("\(field) '\(currency)' is not supported; K2 accepts KES only") }
}

/// A phone number as K2 prints it (`+254…`), from `+2547…`, `2547…` or `07…`; nil if it is not a Kenyan number.
public func normalizedKenyanPhone(_ text: String) -> String? {
    var digits = text.filter { $0 != " " && $0 != "-" }
    if digits.hasPrefix("+") { digits.removeFirst() }
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    if digits.hasPrefix("0"), digits.count == 10 { digits = "254" + digits.dropFirst() }
    guard digits.hasPrefix("254"), digits.count == 12 else { return nil }
    return "+" + digits
}
