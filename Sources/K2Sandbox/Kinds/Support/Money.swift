import OrderedJSON

/// An amount in minor units (cents). K2 takes amounts as numbers or strings and answers them
/// as strings (`"20000.0"`) or integers, never floats: floats do not survive the re-serialising
/// signature checks of the Node and Ruby SDKs.
public struct Money: Sendable, Equatable {
    public var cents: Int64

    /// An amount of `cents` minor units.
    public init(cents: Int64) { self.cents = cents }

    /// From `20000`, `"20000"`, `"20000.0"`, `100.5` or `"100.50"`: not negative, at most two
    /// decimals, below a trillion.
    public init?(_ json: JSON) {
        let text: String
        switch json {
        case .number(let lexeme): text = lexeme
        case .string(let string): text = string.trimmingBlanksAndNewlines()
        default: return nil
        }
        self.init(decimal: text)
    }

    /// From decimal text such as `100` or `100.50`; nil for anything else.
    public init?(decimal text: String) {
        // Over the UTF-8 bytes: Character properties cost a Unicode lookup each.
        let bytes = Array(text.utf8)
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let point = bytes.firstIndex(of: UInt8(ascii: ".")) ?? bytes.count
        let whole = bytes[..<point]
        guard !whole.isEmpty, whole.count <= 12, whole.allSatisfy(isDigit) else { return nil }
        var fraction = point < bytes.count ? Array(bytes[(point + 1)...]) : []
        guard point == bytes.count || !fraction.isEmpty, fraction.allSatisfy(isDigit) else { return nil }
        while fraction.count > 2, fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
        guard fraction.count <= 2 else { return nil }
        while fraction.count < 2 { fraction.append(UInt8(ascii: "0")) }
        let number = { (digits: ArraySlice<UInt8>) in digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) } }
        cents = number(whole) * 100 + number(fraction[...])
    }

    /// K2's string form: `"20000.0"`, `"100.5"`, `"100.25"`.
    public var decimalString: String {
        let units = cents / 100, rest = cents % 100
        if rest == 0 { return "\(units).0" }
        return rest % 10 == 0 ? "\(units).\(rest / 10)" : "\(units).\(rest < 10 ? "0" : "")\(rest)"
    }

    /// For `amount.value`: an integer when whole (as K2's samples), else the decimal string.
    public var valueJSON: JSON {
        cents % 100 == 0 ? .int(cents / 100) : .string(decimalString)
    }
}

extension String {
    func trimmingBlanksAndNewlines() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
