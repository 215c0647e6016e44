extension JSON {
    /// Compact UTF-8 JSON: no whitespace, keys in order, non-ASCII unescaped, `/` unescaped.
    /// Bytes that survive a parse and re-serialise in JavaScript, Ruby and Python unchanged,
    /// which is what re-serialising webhook verifiers need.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out)
        return out
    }

    /// The compact serialisation as a String.
    public var compactString: String { String(decoding: serialized(), as: UTF8.self) }

    /// Appends the value's compact JSON text to `out`.
    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let lexeme): out.append(contentsOf: lexeme.utf8)
        case .string(let value): JSON.writeString(value, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSON.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSON {
    /// Indented JSON for people to read: two spaces per level, one member or item per line,
    /// keys in order, empty containers as `{}` and `[]`, no trailing newline; strings and
    /// numbers exactly as `serialized()` writes them.
    public func prettyPrinted() -> String {
        var out: [UInt8] = []
        writePretty(into: &out, depth: 0)
        return String(decoding: out, as: UTF8.self)
    }

    private func writePretty(into out: inout [UInt8], depth: Int) {
        func newline(_ depth: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
        }
        switch self {
        case .array(let items) where !items.isEmpty:
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                item.writePretty(into: &out, depth: depth + 1)
            }
            newline(depth)
            out.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                JSON.writeString(member.key, into: &out)
                out.append(contentsOf: ": ".utf8)
                member.value.writePretty(into: &out, depth: depth + 1)
            }
            newline(depth)
            out.append(UInt8(ascii: "}"))
        default:
            write(into: &out)
        }
    }
}

extension Unicode.Scalar {
    /// Not printable as it is, in YAML's sense (which JSON text mostly shares): a control
    /// character other than tab and line breaks, DEL, a C1 control, a line break of YAML 1.1 of
    /// its own (NEL, LS, PS), a byte order mark, or a non-character.
    public var isUnprintable: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0x7E: false
        case 0xA0...0x2027, 0x202A...0xD7FF, 0xE000...0xFEFE, 0xFF00...0xFFFD, 0x10000...0x10FFFF: false
        default: true
        }
    }
}

extension String {
    /// This text with each scalar `escape` picks written as `\uxxxx` (lowercase hex; a scalar
    /// past the basic plane as its digits, unpadded): for text that must stay on one line, or be
    /// printable.
    public func escapingScalars(where escape: (Unicode.Scalar) -> Bool) -> String {
        guard unicodeScalars.contains(where: escape) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            if escape(scalar) {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `escapingScalars` for one line of a log or a terminal: line breaks and tabs too.
    public var onOneLine: String {
        escapingScalars { $0.isUnprintable || $0.value < 0x20 }
    }
}
