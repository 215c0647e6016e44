/// Decodes `Decodable` values from `JSON`, the inverse of `OrderedJSONEncoder`: a `JSON` or
/// `JSONObject` member is handed over as it is (key order and number lexemes kept), which
/// Foundation's JSONDecoder cannot do. Numbers are read from their lexemes, exactly.
public struct OrderedJSONDecoder: Sendable {
    /// A decoder; it has no options.
    public init() {}

    /// A `T` read from `json`. Throws `DecodingError` naming the coding path when `json` does
    /// not have `T`'s shape.
    public func decode<T: Decodable>(_ type: T.Type, from json: JSON) throws -> T {
        try decodeValue(type, json, codingPath: [])
    }
}

private func decodeValue<T: Decodable>(_ type: T.Type, _ json: JSON, codingPath: [any CodingKey]) throws -> T {
    if T.self == JSON.self { return json as! T }
    if T.self == JSONObject.self {
        guard case .object(let object) = json else { throw mismatch(type, json, codingPath) }
        return object as! T
    }
    return try T(from: TreeDecoder(json, codingPath: codingPath))
}

private func mismatch(_ type: Any.Type, _ json: JSON, _ codingPath: [any CodingKey]) -> DecodingError {
    .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(type), got \(json.kindName)"))
}

/// A scalar read from a JSON value, or nil when the value is not one.
private func scalar<T>(_ type: T.Type, _ json: JSON) -> T? {
    switch json {
    case .string(let value): return value as? T
    case .bool(let value): return value as? T
    case .number(let lexeme):
        switch type {
        case is Int.Type: return Int(lexeme) as? T
        case is Int64.Type: return Int64(lexeme) as? T
        case is Int32.Type: return Int32(lexeme) as? T
        case is UInt.Type: return UInt(lexeme) as? T
        case is UInt64.Type: return UInt64(lexeme) as? T
        case is Double.Type: return Double(lexeme) as? T
        case is Float.Type: return Float(lexeme) as? T
        default: return nil
        }
    default: return nil
    }
}

private struct TreeDecoder: Decoder {
    let json: JSON
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ json: JSON, codingPath: [any CodingKey]) {
        self.json = json
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = json else { throw mismatch(JSONObject.self, json, codingPath) }
        return KeyedDecodingContainer(KeyedContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = json else { throw mismatch([JSON].self, json, codingPath) }
        return UnkeyedContainer(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(json: json, codingPath: codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let codingPath: [any CodingKey]

    var allKeys: [Key] { object.members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSON {
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no \(key.stringValue)"))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNull }

    // The common scalars without a dynamic cast: a replay decodes every command's fields.
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        guard case .string(let text) = try value(key) else { throw mismatch(type, try value(key), codingPath + [key]) }
        return text
    }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        guard case .bool(let flag) = try value(key) else { throw mismatch(type, try value(key), codingPath + [key]) }
        return flag
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        guard case .number(let lexeme) = try value(key), let number = Int(lexeme) else {
            throw mismatch(type, try value(key), codingPath + [key])
        }
        return number
    }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        guard case .number(let lexeme) = try value(key), let number = Int64(lexeme) else {
            throw mismatch(type, try value(key), codingPath + [key])
        }
        return number
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let json = try value(key)
        if let scalar = scalar(type, json) { return scalar }
        return try decodeValue(type, json, codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try TreeDecoder(try value(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(try value(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { TreeDecoder(object["super"] ?? .null, codingPath: codingPath) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TreeDecoder(object[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [JSON]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSON], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    private mutating func next() throws -> (JSON, [any CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(JSON.self, .init(codingPath: codingPath, debugDescription: "the array has ended"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (json, path) = try next()
        if let scalar = scalar(type, json) { return scalar }
        return try decodeValue(type, json, codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (json, path) = try next()
        return try TreeDecoder(json, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (json, path) = try next()
        return try TreeDecoder(json, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (json, path) = try next()
        return TreeDecoder(json, codingPath: path)
    }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let json: JSON
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { json.isNull }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = json else { throw mismatch(type, json, codingPath) }
        return text
    }
    func decode(_ type: Int64.Type) throws -> Int64 {
        guard case .number(let lexeme) = json, let number = Int64(lexeme) else { throw mismatch(type, json, codingPath) }
        return number
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let scalar = scalar(type, json) { return scalar }
        if type == String.self || type == Bool.self || type is any BinaryInteger.Type || type is any BinaryFloatingPoint.Type {
            throw mismatch(type, json, codingPath)
        }
        return try decodeValue(type, json, codingPath: codingPath)
    }
}

extension JSON: Decodable {
    /// Through `OrderedJSONDecoder` the value is taken as it is; other decoders give it member
    /// by member (in their order) and numbers as integers or doubles.
    public init(from decoder: any Decoder) throws {
        if let tree = decoder as? TreeDecoder {
            self = tree.json
            return
        }
        if let container = try? decoder.container(keyedBy: IndexKey.self) {
            var object = JSONObject()
            for key in container.allKeys { object[key.stringValue] = try container.decode(JSON.self, forKey: key) }
            self = .object(object)
        } else if var container = try? decoder.unkeyedContainer() {
            var items: [JSON] = []
            while !container.isAtEnd { items.append(try container.decode(JSON.self)) }
            self = .array(items)
        } else {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Int64.self) {
                self = .int(value)
            } else if let value = try? container.decode(Double.self) {
                self = .number(String(value))
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }
}

extension JSONObject: Codable {
    /// As `JSON.encode(to:)`: members in order through `OrderedJSONEncoder`.
    public func encode(to encoder: any Encoder) throws { try JSON.object(self).encode(to: encoder) }

    /// As `JSON.init(from:)`; anything but an object is a type mismatch.
    public init(from decoder: any Decoder) throws {
        let json = try JSON(from: decoder)
        guard case .object(let object) = json else { throw mismatch(JSONObject.self, json, decoder.codingPath) }
        self = object
    }
}
