/// Encodes `Encodable` values to `JSON` with object keys in the order the type encodes them
/// (declaration order for synthesised conformances), which Foundation's JSONEncoder on Linux
/// does not keep. Optional properties that are nil are written as `null`, not left out: K2's
/// shapes spell out their nulls (`"errors":null`).
public struct OrderedJSONEncoder: Sendable {
    /// An encoder; it has no options.
    public init() {}

    /// `value` as JSON, keys in declaration order.
    public func encode<T: Encodable>(_ value: T) throws -> JSON {
        try encodeValue(value, codingPath: [])
    }

    /// Compact UTF-8 bytes; see `JSON.serialized()`.
    public func encodeBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        try encode(value).serialized()
    }
}

private func encodeValue<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> JSON {
    if let json = value as? JSON { return json }
    if let object = value as? JSONObject { return .object(object) }
    let encoder = TreeEncoder(codingPath: codingPath)
    try value.encode(to: encoder)
    return encoder.storage.resolved()
}

/// A node under construction. Containers are reference types so that nested containers handed
/// out earlier keep writing into the tree.
private final class Storage {
    enum Node {
        case empty
        case value(JSON)
        case object(ObjectBox)
        case array(ArrayBox)
    }

    var node: Node = .empty

    func resolved() -> JSON {
        switch node {
        case .empty: return .object(JSONObject())
        case .value(let json): return json
        case .object(let box): return .object(JSONObject(box.members.map { ($0.key, $0.value.resolved()) }))
        case .array(let box): return .array(box.items.map { $0.resolved() })
        }
    }

    func objectBox() -> ObjectBox {
        if case .object(let box) = node { return box }
        let box = ObjectBox()
        node = .object(box)
        return box
    }

    func arrayBox() -> ArrayBox {
        if case .array(let box) = node { return box }
        let box = ArrayBox()
        node = .array(box)
        return box
    }
}

private final class ObjectBox {
    var members: [(key: String, value: Storage)] = []

    func slot(_ key: String) -> Storage {
        if let existing = members.first(where: { $0.key == key }) { return existing.value }
        let storage = Storage()
        members.append((key, storage))
        return storage
    }

    func set(_ key: String, _ json: JSON) { slot(key).node = .value(json) }
}

private final class ArrayBox {
    var items: [Storage] = []

    func append(_ json: JSON) {
        let storage = Storage()
        storage.node = .value(json)
        items.append(storage)
    }

    func appendSlot() -> Storage {
        let storage = Storage()
        items.append(storage)
        return storage
    }
}

struct IndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ index: Int) { stringValue = String(index); intValue = index }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.init(intValue) }
}

private final class TreeEncoder: Encoder {
    let codingPath: [any CodingKey]
    let storage: Storage
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(codingPath: [any CodingKey], storage: Storage = Storage()) {
        self.codingPath = codingPath
        self.storage = storage
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedContainer<Key>(box: storage.objectBox(), codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedContainer(box: storage.arrayBox(), codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(storage: storage, codingPath: codingPath)
    }
}

private func scalar<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> JSON {
    switch value {
    case let v as String: return .string(v)
    case let v as Bool: return .bool(v)
    case let v as Int: return .int(v)
    case let v as Int64: return .int(v)
    case let v as Int32: return .int(v)
    case let v as UInt: return .int(v)
    case let v as UInt64: return .int(v)
    case let v as Double:
        guard v.isFinite else {
            throw EncodingError.invalidValue(v, .init(codingPath: codingPath, debugDescription: "not a finite number"))
        }
        return .number(String(v))
    default: return try encodeValue(value, codingPath: codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: ObjectBox
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { box.set(key.stringValue, .null) }

    // The common scalars without a dynamic cast.
    mutating func encode(_ value: String, forKey key: Key) throws { box.set(key.stringValue, .string(value)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { box.set(key.stringValue, .bool(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.set(key.stringValue, .int(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { box.set(key.stringValue, .int(value)) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        box.set(key.stringValue, try scalar(value, codingPath: codingPath + [key]))
    }

    // Synthesised conformances call these for optionals: nil is written as null.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        box.set(key.stringValue, value.map(JSON.string) ?? .null)
    }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
        box.set(key.stringValue, value.map { JSON.int($0) } ?? .null)
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        box.set(key.stringValue, value.map(JSON.bool) ?? .null)
    }
    // The protocol's defaults for the other primitive overloads skip nil: write null, so a key
    // is there whatever the value.
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeIfPresent(value.map(Int.init), forKey: key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeIfPresent(value.map(Int.init), forKey: key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeIfPresent(value.map(Int.init), forKey: key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeIfPresent(value.map(Int.init), forKey: key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { box.set(key.stringValue, value.map { JSON.int($0) } ?? .null) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeIfPresent(value.map(UInt.init), forKey: key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeIfPresent(value.map(UInt.init), forKey: key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeIfPresent(value.map(UInt.init), forKey: key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeIfPresent(value.map(UInt.init), forKey: key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(KeyedContainer<NestedKey>(
            box: box.slot(key.stringValue).objectBox(), codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        UnkeyedContainer(box: box.slot(key.stringValue).arrayBox(), codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(codingPath: codingPath, storage: box.slot("super"))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        TreeEncoder(codingPath: codingPath + [key], storage: box.slot(key.stringValue))
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let box: ArrayBox
    let codingPath: [any CodingKey]
    var count: Int { box.items.count }

    mutating func encodeNil() throws { box.append(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        box.append(try scalar(value, codingPath: codingPath + [IndexKey(count)]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = codingPath + [IndexKey(count)]
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: box.appendSlot().objectBox(), codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = codingPath + [IndexKey(count)]
        return UnkeyedContainer(box: box.appendSlot().arrayBox(), codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(codingPath: codingPath + [IndexKey(count)], storage: box.appendSlot())
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let storage: Storage
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { storage.node = .value(.null) }

    mutating func encode(_ value: String) throws { storage.node = .value(.string(value)) }
    mutating func encode(_ value: Int64) throws { storage.node = .value(.int(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        storage.node = .value(try scalar(value, codingPath: codingPath))
    }
}

extension JSON: Encodable {
    /// Through `OrderedJSONEncoder` a JSON value is inserted as is; other encoders get it
    /// member by member (their own key order rules then apply).
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .number(let lexeme):
            var container = encoder.singleValueContainer()
            if let int = Int(lexeme) { try container.encode(int) } else { try container.encode(Double(lexeme) ?? 0) }
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .array(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case .object(let object):
            var container = encoder.container(keyedBy: IndexKey.self)
            for member in object.members {
                try container.encode(member.value, forKey: IndexKey(stringValue: member.key)!)
            }
        }
    }
}
