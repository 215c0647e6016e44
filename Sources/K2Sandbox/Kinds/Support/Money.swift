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
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 12, whole.allSatisfy({ $0.isASCII && $0.isNumber }),
              let units = Int64(whole) else { return nil }
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        guard parts.count == 1 || !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        while fraction.count > 2, fraction.hasSuffix("0") { fraction.removeLast() }
        guard fraction.count <= 2 else { return nil }
        while fraction.count < 2 { fraction += "0" }
        cents = units * 100 + Int64(fraction)!
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
