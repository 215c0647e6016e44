import OrderedJSON

/// JSON Schema fragments, as JSON in the order written: the words a kind's request schema, the
/// scenario schema and the OpenAPI document are written in.
public enum Schema {
    public static let string: JSON = ["type": "string"]
    public static let integer: JSON = ["type": "integer"]
    public static let boolean: JSON = ["type": "boolean"]
    public static let number: JSON = ["type": "number"]
    public static let anyObject: JSON = ["type": "object"]
    public static let nullableString: JSON = ["type": ["string", "null"]]

    /// `{"type": "string", "description": ...}`.
    public static func string(_ description: String) -> JSON {
        ["type": "string", "description": .string(description)]
    }

    /// `{"type": "object", "properties": ..., "required": [...]}` (no `required` when empty).
    public static func object(_ properties: KeyValuePairs<String, JSON>, required: [String] = []) -> JSON {
        object(properties.map { (key: $0.key, value: $0.value) }, required: required)
    }

    /// `object` from members in order.
    public static func object(_ properties: [(key: String, value: JSON)], required: [String] = []) -> JSON {
        var schema = JSONObject([("type", "object"), ("properties", .object(JSONObject(properties)))])
        if !required.isEmpty { schema["required"] = .array(required.map(JSON.string)) }
        return .object(schema)
    }

    /// `{"type": "array", "items": items}`.
    public static func array(of items: JSON) -> JSON {
        ["type": "array", "items": items]
    }

    /// `{"type": "string", "enum": [...]}`.
    public static func oneOf(_ values: [String]) -> JSON {
        ["type": "string", "enum": .array(values.map(JSON.string))]
    }

    /// `schema` with `more`'s members added after (or replacing) its own.
    public static func merging(_ schema: JSON, _ more: JSON) -> JSON {
        var object = schema.objectValue ?? JSONObject()
        for member in more.objectValue ?? JSONObject() { object[member.key] = member.value }
        return .object(object)
    }

    /// `schema` with `description` set (or replaced).
    public static func described(_ schema: JSON, _ description: String) -> JSON {
        merging(schema, ["description": .string(description)])
    }

    // Pieces K2's create requests share (k2-api.md §5).

    /// An amount's `value`: a number, or a number as a string.
    public static let amountValue: JSON = [
        "oneOf": [["type": "number"], ["type": "string"]], "description": "a number, or a number as a string",
    ]
    /// `{"currency", "value"}`.
    public static let amount: JSON = ["type": "object", "properties": ["currency": string, "value": amountValue]]
    /// `_links` of a create request: where its result is POSTed.
    public static let linksIn: JSON = [
        "type": "object", "properties": ["callback_url": ["type": "string", "description": "an http or https URL"]],
    ]
    /// `metadata`, echoed back.
    public static let metadata: JSON = ["type": ["object", "null"], "description": "echoed back; `meta_data` is read too"]
    /// An STK push's `subscriber`.
    public static let subscriber: JSON = ["type": "object", "properties": [
        "first_name": string, "middle_name": nullableString, "last_name": string, "phone_number": string, "email": string,
    ]]
    /// A recipient's `type`.
    public static let recipientType = string("mobile_wallet, bank_account, till or paybill")
    /// A subscription's or a polling's `scope`.
    public static let scope = string("till or company, in any case")
    /// An http or https URL.
    public static let url = string("an http or https URL")
    /// `{"callback_url": "http://127.0.0.1:9/k2"}`, for examples.
    public static let exampleLinks: JSON = ["callback_url": "http://127.0.0.1:9/k2"]
}
