import K2Sandbox
import OrderedJSON

/// The transcript format's name and version, the value of its header's `format`.
public let transcriptFormat = "k2mock-transcript/1"

/// What the header says about the sandbox a transcript was read from.
public struct TranscriptHeader: Sendable {
    /// The sandbox's name (`default` for the server's own).
    public var sandbox: String
    /// The scenario's file name (no directories: they differ between machines), or its source.
    public var scenario: String
    /// The seed the sandbox was made with (before its name is mixed in); nil: unseeded.
    public var seed: UInt64?

    public init(sandbox: String, scenario: String, seed: UInt64?) {
        self.sandbox = sandbox
        self.scenario = scenario
        self.seed = seed
    }
}

/// Writes a sandbox's transcript as YAML documents: a header, then one document per entry,
/// keys in a fixed order, JSON bodies pretty-printed in the order they were sent. Made to be
/// read and diffed in review; `TranscriptReader` reads it back.
///
/// Only ports are scrubbed (`PortPlaceholders`); a delivery's `X-KopoKopo-Signature` is written
/// as the signature, with the same key, of its compact body with those placeholders, so that a
/// transcript's pairs still verify and do not change with ports. Everything else is as sent.
public struct TranscriptWriter: Sendable {
    public let header: TranscriptHeader

    public init(header: TranscriptHeader) {
        self.header = header
    }

    /// The request headers a transcript keeps, in this order (others, such as `User-Agent`,
    /// `Host` and `Content-Length`, vary with the client's version or the port, or follow
    /// from the body).
    public static let requestHeaders = ["Accept", "Authorization", "Content-Type"]

    /// The transcript of `snapshot`, as UTF-8 text ending in a newline.
    public func write(_ snapshot: TranscriptSnapshot) -> String {
        var ports = PortPlaceholders(serverPorts: Self.serverPorts(snapshot))
        var out = """
        # k2mock transcript: every K2 API request and its answer, every callback and webhook
        # delivery attempt, and every advance of the clock, in the order they happened (times
        # are sandbox times). Ports in URLs are written as placeholders: {k2mock-port} for this
        # server's, {port-1}, {port-2}, ... for the others in order of first appearance. A
        # delivery's X-KopoKopo-Signature is that of its compact body with those placeholders,
        # made with the same key. Nothing else is scrubbed. Compare two with `k2mock transcript diff`.

        """
        out += "format: \(transcriptFormat)\n"
        out += "sandbox: \(quoted(header.sandbox))\n"
        out += "scenario: \(quoted(header.scenario))\n"
        out += "seed: \(header.seed.map(String.init) ?? "null")\n"
        out += "clock: \(snapshot.clockMode.rawValue)\n"
        out += "clock_start: \(quoted(snapshot.clockStart.iso8601()))\n"
        out += "clock_start_from: \(quoted(snapshot.clockStartSource.rawValue))\n"
        out += "entries: \(snapshot.entries.count)\n"
        out += "dropped: \(snapshot.dropped)\n"
        for (offset, entry) in snapshot.entries.enumerated() {
            out += "---\n"
            out += "entry: \(snapshot.dropped + offset + 1)\n"
            switch entry {
            case .exchange(let at, _, let exchange):
                write(exchange, at: at, &ports, into: &out)
            case .attempt(let id, let number):
                guard id >= 1, id <= snapshot.deliveries.count, number >= 1,
                      number <= snapshot.deliveries[id - 1].attempts.count else { continue }
                let delivery = snapshot.deliveries[id - 1]
                write(delivery, attempt: delivery.attempts[number - 1], &ports, into: &out)
            case .clock(let from, let to):
                out += "at: \(quoted(from.iso8601()))\n"
                out += "kind: clock\n"
                out += "to: \(quoted(to.iso8601()))\n"
            }
        }
        return out
    }

    private func write(_ exchange: Exchange, at: Timestamp, _ ports: inout PortPlaceholders, into out: inout String) {
        out += "at: \(quoted(at.iso8601()))\n"
        out += "kind: request\n"
        out += "method: \(quoted(exchange.method))\n"
        out += "path: \(quoted(ports.scrub(exchange.path)))\n"
        if !exchange.query.isEmpty {
            let query = exchange.query.map { $0.value.isEmpty ? $0.name : "\($0.name)=\($0.value)" }.joined(separator: "&")
            out += "query: \(quoted(ports.scrub(query)))\n"
        }
        var kept: [(String, String)] = []
        for name in Self.requestHeaders {
            if let field = exchange.requestHeaders.first(where: { $0.name.lowercased() == name.lowercased() }) {
                kept.append((name, field.value))
            }
        }
        writeHeaders("request_headers", kept, &ports, into: &out)
        writeBody("request_body", exchange.requestBody, length: exchange.requestBodyLength, &ports, into: &out)
        out += "status: \(exchange.status)\n"
        writeHeaders("response_headers", exchange.responseHeaders.map { ($0.name, $0.value) }, &ports, into: &out)
        // A HEAD's answer carries no body, whatever the handler made.
        if exchange.method != "HEAD" {
            writeBody("response_body", exchange.responseBody, length: exchange.responseBodyLength, &ports, into: &out)
        }
    }

    private func write(_ delivery: Delivery, attempt: DeliveryAttempt, _ ports: inout PortPlaceholders, into out: inout String) {
        out += "at: \(quoted(attempt.at.iso8601()))\n"
        out += "kind: \(delivery.kind.rawValue)\n"
        out += "delivery: \(delivery.id)\n"
        out += "attempt: \(attempt.number)\n"
        if attempt.redelivery { out += "redelivery: true\n" }
        out += "about: \(quoted("\(delivery.subject) \(delivery.subjectID)"))\n"
        out += "method: \"POST\"\n"
        out += "url: \(quoted(ports.scrub(delivery.url)))\n"
        let raw = String(decoding: delivery.body, as: UTF8.self)
        let scrubbed = ports.scrub(raw)
        let signature = scrubbed == raw ? delivery.signature : delivery.signature(of: Array(scrubbed.utf8))
        writeHeaders("request_headers", [("Content-Type", "application/json"), ("X-KopoKopo-Signature", signature)], &ports, into: &out)
        writeBody("request_body", delivery.body, length: delivery.body.count, &ports, into: &out)
        out += "status: \(attempt.status.map(String.init) ?? "null")\n"
        if let error = attempt.error { out += "error: \(quoted(ports.scrub(withoutTransportDetail(error))))\n" }
    }

    private func writeHeaders(_ key: String, _ fields: [(String, String)], _ ports: inout PortPlaceholders, into out: inout String) {
        guard !fields.isEmpty else { return }
        out += "\(key):\n"
        for (name, value) in fields { out += "  \(quoted(name)): \(quoted(ports.scrub(value)))\n" }
    }

    /// A JSON object or array body pretty-printed as a literal block; any other UTF-8 body as
    /// one quoted string; other bytes as base64. Nothing when empty. `key_length` says how many
    /// bytes were sent when what is written is not all of them as they were: a body cut at
    /// `Exchange.bodyLimit`, or JSON that was not compact (whitespace, a repeated key).
    private func writeBody(_ key: String, _ body: [UInt8], length: Int, _ ports: inout PortPlaceholders, into out: inout String) {
        guard !body.isEmpty else { return }
        if let json = try? JSON.parse(body), json.objectValue != nil || json.arrayValue != nil,
           case let pretty = ports.scrub(json.prettyPrinted()), !pretty.unicodeScalars.contains(where: \.isUnprintable) {
            if length != body.count || json.serialized() != body { out += "\(key)_length: \(length)\n" }
            out += "\(key): |-\n"
            for line in pretty.split(separator: "\n", omittingEmptySubsequences: false) {
                out += "  \(line)\n"
            }
        } else if let text = String(validating: body, as: UTF8.self) {
            if length != body.count { out += "\(key)_length: \(length)\n" }
            out += "\(key): \(quoted(ports.scrub(text)))\n"
        } else {
            if length != body.count { out += "\(key)_length: \(length)\n" }
            out += "\(key)_base64: \(quoted(base64(body)))\n"
        }
    }

    /// The ports this server was reached on (its requests' `Host`).
    static func serverPorts(_ snapshot: TranscriptSnapshot) -> Set<String> {
        var ports: Set<String> = []
        for case .exchange(_, _, let exchange) in snapshot.entries {
            guard let host = exchange.requestHeaders.first(where: { $0.name.lowercased() == "host" })?.value,
                  let colon = host.lastIndex(of: ":"), !host[colon...].contains("]") else { continue }
            ports.insert(String(host[host.index(after: colon)...]))
        }
        return ports
    }
}

/// k2mock's own words for a failed attempt, without the transport's detail in parentheses at
/// their end (it holds ports and milliseconds: "nothing accepted the connection (Failed to
/// connect to 127.0.0.1 port 54733 after 0 ms ...)").
func withoutTransportDetail(_ error: String) -> String {
    guard error.hasSuffix(")") else { return error }
    var depth = 0
    for index in error.indices.reversed() {
        switch error[index] {
        case ")": depth += 1
        case "(":
            depth -= 1
            if depth == 0 {
                let words = error[..<index]
                return words.hasSuffix(" ") ? String(words.dropLast()) : error
            }
        default: break
        }
    }
    return error
}

/// A YAML double-quoted scalar: JSON's string syntax, which YAML reads the same, with every
/// character YAML would not keep as it is (line breaks of its own such as U+2028, and
/// non-printable ones) escaped as `\uXXXX`.
func quoted(_ text: String) -> String {
    JSON.string(text).compactString.escapingScalars(where: \.isUnprintable)
}

private func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
        let value = (UInt32(chunk[0]) << 16) | (UInt32(chunk.count > 1 ? chunk[1] : 0) << 8) | UInt32(chunk.count > 2 ? chunk[2] : 0)
        for position in 0..<4 {
            out.append(position <= chunk.count ? alphabet[Int((value >> UInt32(18 - 6 * position)) & 0x3F)] : UInt8(ascii: "="))
        }
        index += 3
    }
    return String(decoding: out, as: UTF8.self)
}

extension TranscriptWriter {
    /// Why a snapshot of `sandbox`'s transcript could never match again, if it could not: a
    /// real clock (its times depend on when requests arrive) or no seed (its ids and tokens are
    /// random). Nil when the same requests give the same transcript.
    public static func whyNotReproducible(_ sandbox: Sandbox) -> String? {
        if sandbox.clockMode == .real {
            return "This sandbox runs a real clock: its times, and so its transcript, differ in every run. "
                + "For a snapshot, run it on a manual clock (clock: manual, or --clock manual) and advance it."
        }
        if sandbox.scenario.seed == nil {
            return "This sandbox has no seed: its ids and tokens are random, so its transcript differs in every run. "
                + "For a snapshot, give it a seed (the scenario's seed:, serve --seed, or the sandbox's seed)."
        }
        return nil
    }

    /// The transcript of a sandbox a server hosts: `default` names the server's own, and the
    /// scenario is named by its file name.
    public static func transcript(of hosted: HostedSandbox) -> String {
        let sandbox = hosted.sandbox
        let source = hosted.spec?.source ?? sandbox.scenario.source
        let header = TranscriptHeader(
            sandbox: hosted.isPrimary ? "default" : hosted.id,
            scenario: String(source.split(separator: "/").last ?? Substring(source)),
            seed: hosted.spec.map(\.seed) ?? sandbox.scenario.seed)
        return TranscriptWriter(header: header).write(sandbox.transcript())
    }
}
