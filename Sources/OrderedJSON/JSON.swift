/// A JSON value that keeps what K2's wire format cares about and Foundation loses: the order
/// of object keys, and numbers exactly as written (`20000` stays an integer, `"20000.0"` a
/// string, `100.0` keeps its `.0`).
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's lexeme, as parsed or written (never re-formatted).
    case number(String)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    /// An integer as a number lexeme.
    public static func int<I: BinaryInteger>(_ value: I) -> JSON { .number(String(value)) }

    /// The member called `key` of an object; nil for absent keys and non-objects.
    public subscript(key: String) -> JSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The lexeme of a number.
    public var numberLexeme: String? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the value's kind, for error messages ("expected a string, got an array").
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object's members in order. Setting an existing key replaces its value in place.
public struct JSONObject: Sendable, Equatable, Sequence {
    public private(set) var members: [(key: String, value: JSON)]

    /// An object with these members in this order.
    public init(_ members: [(key: String, value: JSON)] = []) {
        self.members = members
    }

    public subscript(key: String) -> JSON? {
        get { members.first { $0.key == key }?.value }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    public var keys: [String] { members.map(\.key) }

    /// Room for `count` members without growing (the parser's guess).
    mutating func reserveCapacity(_ count: Int) { members.reserveCapacity(count) }

    /// Appends a member the caller knows is new (the parser, which keeps its own index).
    mutating func appendMember(_ key: String, _ value: JSON) { members.append((key, value)) }

    /// Replaces the value of member `index`.
    mutating func replaceValue(at index: Int, with value: JSON) { members[index].value = value }
    public var isEmpty: Bool { members.isEmpty }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSON)]> {
        members.makeIterator()
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    /// Keeps the literal's key order.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Keeps the literal's key order.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }
}
