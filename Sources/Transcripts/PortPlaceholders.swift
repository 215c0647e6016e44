/// Writes the ports of URLs as stable placeholders: `{k2mock-port}` for this server's ports,
/// `{port-1}`, `{port-2}`, ... for every other, numbered in order of first appearance, so two
/// runs whose servers and receivers listened on other ports read the same. A port is the digits
/// after the host of `scheme://[user:password@]host:` (or `scheme:\/\/...`, as some JSON
/// encoders escape slashes), up to the path; no other number is touched.
struct PortPlaceholders {
    private let serverPorts: Set<String>
    private var numbered: [String: Int] = [:]

    init(serverPorts: Set<String>) {
        self.serverPorts = serverPorts
    }

    /// `text` with each URL's port replaced.
    mutating func scrub(_ text: String) -> String {
        guard text.contains("//") || text.contains("\\/\\/") else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard let after = authorityStart(bytes, index) else {
                out.append(bytes[index])
                index += 1
                continue
            }
            out.append(contentsOf: bytes[index..<after])
            // The authority runs to the path, query, fragment, or the end of the URL's text;
            // its host follows any `user:password@`.
            var end = after
            while end < bytes.count, !endsAuthority(bytes[end]) { end += 1 }
            let hostStart = (bytes[after..<end].lastIndex(of: UInt8(ascii: "@")).map { $0 + 1 }) ?? after
            out.append(contentsOf: bytes[after..<hostStart])
            var cursor = hostStart
            if cursor < end, bytes[cursor] == UInt8(ascii: "[") {
                while cursor < end, bytes[cursor] != UInt8(ascii: "]") { cursor += 1 }
                if cursor < end { cursor += 1 }
            } else {
                while cursor < end, bytes[cursor] != UInt8(ascii: ":") { cursor += 1 }
            }
            out.append(contentsOf: bytes[hostStart..<cursor])
            if cursor + 1 < end, bytes[cursor] == UInt8(ascii: ":"), bytes[(cursor + 1)..<end].allSatisfy(isDigit) {
                let port = String(decoding: bytes[(cursor + 1)..<end], as: UTF8.self)
                out.append(UInt8(ascii: ":"))
                out.append(contentsOf: placeholder(for: port).utf8)
            } else {
                out.append(contentsOf: bytes[cursor..<end])
            }
            index = end
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `byte` ends a URL's authority: `/`, `?`, `#`, a backslash (of an escaped `\/`),
    /// a quote, whitespace or a control character.
    private func endsAuthority(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#")
            || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == 0x7F
            || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
    }

    private mutating func placeholder(for port: String) -> String {
        if serverPorts.contains(port) { return "{k2mock-port}" }
        if let number = numbered[port] { return "{port-\(number)}" }
        let number = numbered.count + 1
        numbered[port] = number
        return "{port-\(number)}"
    }

    /// Where the host starts when `://` or `:\/\/` begins at `index`, after a scheme.
    private func authorityStart(_ bytes: [UInt8], _ index: Int) -> Int? {
        guard bytes[index] == UInt8(ascii: ":"), index > 0, isSchemeByte(bytes[index - 1]) else { return nil }
        let plain = Array("://".utf8), escaped = Array(":\\/\\/".utf8)
        for marker in [plain, escaped] where index + marker.count <= bytes.count
            && Array(bytes[index..<(index + marker.count)]) == marker {
            return index + marker.count
        }
        return nil
    }

    private func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }
    private func isSchemeByte(_ byte: UInt8) -> Bool { (97...122).contains(byte | 0x20) || isDigit(byte) }
}
