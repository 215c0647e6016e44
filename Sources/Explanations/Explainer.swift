import K2Sandbox
import OrderedJSON

/// Says why: why a request got the answer it got, in K2's terms and the caller's
/// (`GET /__admin/explain?request=ID`, the log line of a refused request), and where a resource
/// stands and what it waits for (`?resource=ID`). Built only when asked or logged: nothing
/// here runs while a request is served.
public struct Explainer: Sendable {
    let hub: SandboxHub
    /// Every K2 route, as method and pattern (`GET /api/v1/payments/:id`).
    let routes: [(method: String, pattern: String)]
    /// The client an OAuth request names, read as the K2 API reads it (body, query or HTTP Basic).
    let oauthClient: @Sendable (Exchange) -> String?

    /// Explanations over `hub`'s sandboxes, whose K2 API serves `routes` and reads an OAuth
    /// request's client with `oauthClient`.
    public init(hub: SandboxHub, routes: [(method: String, pattern: String)], oauthClient: @escaping @Sendable (Exchange) -> String?) {
        self.hub = hub
        self.routes = routes
        self.oauthClient = oauthClient
    }

    // MARK: Requests

    /// Request `id` of `hosted`'s journal explained: `{"request":{...},"summary","k2_message","details","ignored_keys"}`;
    /// nil when the journal has no such request, or no longer keeps its bytes (the transcript
    /// keeps the latest 10,000 requests and attempts).
    public func request(_ id: Int, in hosted: HostedSandbox) -> JSON? {
        guard let (at, exchange) = hosted.sandbox.exchange(requestID: id) else { return nil }
        let found = explain(exchange, at: at, in: hosted)
        return [
            "request": ["id": .int(id), "at": .string(at.iso8601()), "method": .string(exchange.method),
                        "path": .string(exchange.path), "status": .int(exchange.status)],
            "summary": .string(found.summary),
            "k2_message": found.k2Message.map(JSON.string) ?? .null,
            "details": .array(found.details.map(JSON.string)),
            "ignored_keys": .array(found.ignored.map(JSON.string)),
        ]
    }

    /// The one-line reason a log line ends with: for a refused request (4xx, 5xx), and for an
    /// accepted create whose body has keys K2 ignores; nil for the rest.
    /// Control characters a body or path carried are written as `\\uXXXX`, and a long reason is
    /// cut, so one request stays one log line.
    public func reason(_ exchange: Exchange, at: Timestamp, in hosted: HostedSandbox) -> String? {
        if exchange.status < 400 {
            guard exchange.method == "POST", exchange.status == 201 else { return nil }
            let found = explain(exchange, at: at, in: hosted)
            return found.summary == "answered 201" ? nil : oneLine(String(found.summary.dropFirst("answered 201; ".count)))
        }
        return oneLine(explain(exchange, at: at, in: hosted).summary)
    }

    private func oneLine(_ text: String) -> String {
        text.unicodeScalars.count > 400 ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(400))).onOneLine + "…" : text.onOneLine
    }

    struct Found {
        var summary: String
        var k2Message: String?
        var details: [String] = []
        var ignored: [String] = []
    }

    func explain(_ exchange: Exchange, at: Timestamp, in hosted: HostedSandbox) -> Found {
        let message = k2Message(exchange)
        var found = Found(summary: "answered \(exchange.status)", k2Message: message)
        if case .answered(let fault)? = exchange.fault {
            found.summary = "answered \(exchange.status) by the scenario's fault at \(fault), not by the API: "
                + "nothing the request asked for happened"
            return found
        }
        if case .delayed(let delayedBy)? = exchange.fault { found.details.append("served late by the scenario's fault at \(delayedBy) (its latency)") }
        switch exchange.status {
        case 401: found = unauthorized(exchange, at: at, hosted, found)
        case 404: found = notFound(exchange, hosted, found)
        case 405: found.summary = "\(exchange.method) is not served on \(exchange.path); "
            + "it answers \(exchange.responseHeaders.first { $0.name.lowercased() == "allow" }?.value ?? "other methods")"
        case 413: found.summary = "the body is over 1 MiB; K2's create requests are a few hundred bytes"
        case 415: found.summary = "the body is not sent as JSON: send `Content-Type: application/json` with a JSON object"
        case 400 where exchange.path.hasPrefix("/oauth/"):
            found.summary = "\(message ?? "refused"): POST /oauth/token takes grant_type=client_credentials, client_id and "
                + "client_secret, form-encoded (or as JSON)"
        case 400: found = badCreate(exchange, hosted, found)
        case 200..<300:
            found.ignored = ignoredKeys(exchange, hosted)
            var notes: [String] = []
            if !found.ignored.isEmpty { notes.append(ignoredSentence(found.ignored)) }
            if let definition = createDefinition(exchange, hosted), let object = requestObject(exchange),
               let callback = callbackNote(object, definition) { notes.append(callback) }
            if !notes.isEmpty { found.summary += "; " + notes.joined(separator: "; ") }
        default:
            if let message { found.summary += ": \(message)" }
        }
        return found
    }

    /// K2's `error_message` (or OAuth's `error_description`) of the answer.
    func k2Message(_ exchange: Exchange) -> String? {
        guard let body = try? JSON.parse(exchange.responseBody) else { return nil }
        return body["error_message"]?.stringValue ?? body["error_description"]?.stringValue ?? body["error"]?.stringValue
    }

    // MARK: 401

    private func unauthorized(_ exchange: Exchange, at: Timestamp, _ hosted: HostedSandbox, _ found: Found) -> Found {
        var found = found
        if exchange.path.hasPrefix("/oauth/") && exchange.path != "/oauth/token/info" {
            let clientID = oauthClient(exchange) ?? ""
            let clients = hosted.sandbox.scenario.credentials.map(\.clientID)
            if clients.contains(clientID) {
                found.summary = "client_secret is not client \(clientID)'s (the scenario's credentials entry for it has another)"
            } else if clientID.isEmpty {
                found.summary = "no client_id (in the body, the query or HTTP Basic): send client_id and client_secret "
                    + "with grant_type=client_credentials"
            } else {
                found.summary = "client_id \(clientID) is not among this sandbox's credentials (its clients: \(clients.joined(separator: ", ")))"
                if let other = everySandbox.first(where: { $0.sandbox.scenario.credentials.contains { $0.clientID == clientID } }) {
                    found.details.append("sandbox \(other.isPrimary ? "default" : other.id) has that client")
                }
            }
            return found
        }
        guard let header = exchange.requestHeaders.first(where: { $0.name.lowercased() == "authorization" })?.value else {
            found.summary = "no Authorization header: K2 wants `Authorization: Bearer <token>` (POST /oauth/token issues one)"
            return found
        }
        let parts = header.trimmingSpaces.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            if parts.isEmpty {
                found.summary = "the Authorization header is empty: K2 wants `Authorization: Bearer <token>` "
                    + "(POST /oauth/token issues one)"
            } else if parts.count == 1, parts[0].lowercased() == "bearer" {
                found.summary = "the Authorization header is `Bearer` with no token after it"
            } else if parts.count == 1 {
                found.summary = "the Authorization header is a bare value (\(abbreviated(String(parts[0]), to: 6))), "
                    + "without the `Bearer ` scheme K2 wants: `Authorization: Bearer <token>`"
            } else {
                found.summary = "the Authorization header is `\(parts[0]) …`, not `Bearer <token>`"
            }
            return found
        }
        var value = String(parts[1]).trimmingSpaces
        if value.count > 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            value = String(value.dropFirst().dropLast())
            found.details.append("the token is in quotes: send it bare, `Bearer <token>`")
        }
        let clock = hosted.sandbox.clockMode == .manual ? "the sandbox's manual clock" : "the sandbox's clock"
        guard let token = hosted.sandbox.tokenRecord(value) else {
            if let owner = everySandbox.first(where: { $0 !== hosted && $0.sandbox.tokenRecord(value) != nil }) {
                found.summary = "the token is sandbox \(owner.isPrimary ? "default" : owner.id)'s, not this one's"
            } else {
                found.summary = "the token \(abbreviated(value)) is not one this sandbox knows: not issued here, "
                    + "or issued before a reset or a restart, or a token of the real K2"
            }
            return found
        }
        if token.revoked {
            found.summary = "the token issued to \(token.clientID) at \(token.createdAt.iso8601()) was revoked"
                + (token.revokedAt.map { " at \($0.iso8601())" } ?? "") + " (POST /oauth/revoke): get a new one"
        } else if let expiry = token.expiresAt, at >= expiry {
            found.summary = "the token issued to \(token.clientID) at \(token.createdAt.iso8601()) expired at \(expiry.iso8601()) "
                + "(its client's token_ttl); the request came at \(at.iso8601()) on \(clock)"
                + (hosted.sandbox.clockMode == .manual ? ", moved past it by an advance" : "") + ": get a new token"
        } else {
            found.summary = "the token was refused: \(found.k2Message ?? "")"
        }
        return found
    }

    // MARK: 404

    private func notFound(_ exchange: Exchange, _ hosted: HostedSandbox, _ found: Found) -> Found {
        var found = found
        let matching = routes.filter { matches($0.pattern, exchange.path) }
        guard let route = matching.first(where: { $0.method == exchange.method }) else {
            if !matching.isEmpty {
                found.summary = "\(exchange.method) \(exchange.path) is not served; "
                    + matching.map { "\($0.method) \(concrete($0.pattern, exchange.path))" }.joined(separator: " and ") + " is"
                return found
            }
            let near = nearestRoutes(exchange.method, exchange.path)
            found.summary = "no route \(exchange.method) \(exchange.path)"
                + (near.isEmpty ? "" : "; did you mean \(near.joined(separator: " or "))?")
            return found
        }
        // A route with an id: the id is not here under this kind.
        guard let id = exchange.path.split(separator: "/").dropFirst(route.pattern.split(separator: "/").firstIndex { $0.hasPrefix(":") } ?? 0).first else {
            return found
        }
        let wanted = String(id).lowercased()
        found.summary = "no resource \(id) at \(exchange.path) in this sandbox"
        if let other = hosted.sandbox.resource(id: wanted) {
            found.summary += "; it is a \(other.kind), at \(other.path)"
        } else if let owner = everySandbox.first(where: { $0 !== hosted && $0.sandbox.resource(id: wanted) != nil }) {
            found.summary += "; sandbox \(owner.isPrimary ? "default" : owner.id) has it: use that sandbox's token"
        } else {
            found.details.append("ids are made by this sandbox's creates (and its fixtures); an id from another run, "
                + "or from before a reset, is gone")
        }
        return found
    }

    /// Whether route `pattern` (`/api/v1/payments/:id`) matches `path`.
    func matches(_ pattern: String, _ path: String) -> Bool {
        let a = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let b = path.split(separator: "/", omittingEmptySubsequences: false)
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { $0.hasPrefix(":") ? !$1.isEmpty : $0 == $1 }
    }

    /// `pattern` with its `:name` segments taken from `path` where it has them.
    private func concrete(_ pattern: String, _ path: String) -> String {
        let a = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let b = path.split(separator: "/", omittingEmptySubsequences: false)
        return a.enumerated().map { index, segment in
            segment.hasPrefix(":") ? (index < b.count && !b[index].isEmpty ? String(b[index]) : "{\(segment.dropFirst())}") : String(segment)
        }.joined(separator: "/")
    }

    /// What clients call a collection that K2 calls otherwise.
    static let collectionAliases: [String: String] = [
        "stk_push": "incoming_payments", "stkpush": "incoming_payments", "stk": "incoming_payments",
        "mpesa_stk_push": "incoming_payments", "payment_requests": "incoming_payments", "receive_payments": "incoming_payments",
        "pay": "payments", "transfers": "send_money", "transfer": "send_money", "sendmoney": "send_money",
        "recipients": "pay_recipients", "subscriptions": "webhook_subscriptions", "webhooks": "webhook_subscriptions",
        "reverse": "reversals", "links": "payment_links", "settlements": "settlement_transfers",
    ]

    /// The routes closest to `method path` (by edit distance, ids filled in), at most three;
    /// none for a path longer than any route (the search would cost more than it tells).
    func nearestRoutes(_ method: String, _ path: String) -> [String] {
        guard path.utf8.count <= 160 else { return [] }
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if segments.count > 3, let alias = Self.collectionAliases[segments[3].lowercased()] {
            segments[3] = alias
            let aliased = segments.joined(separator: "/")
            let exact = routes.filter { $0.method == method && matches($0.pattern, aliased) }.map { "\($0.method) \(concrete($0.pattern, aliased))" }
            if !exact.isEmpty { return Array(exact.prefix(3)) }
        }
        let scored = routes.map { route -> (String, Int) in
            let candidate = concrete(route.pattern, path)
            let distance = editDistance(candidate, path) + (route.method == method ? 0 : 2)
            return ("\(route.method) \(candidate)", distance)
        }
        let limit = max(3, path.count / 5)
        var seen: Set<String> = []
        return scored.filter { $0.1 <= limit }.sorted { $0.1 < $1.1 }.map(\.0).filter { seen.insert($0).inserted }.prefix(3).map { $0 }
    }

    // MARK: 400 on a create

    private func badCreate(_ exchange: Exchange, _ hosted: HostedSandbox, _ found: Found) -> Found {
        var found = found
        let message = found.k2Message ?? "refused"
        found.summary = message
        guard let definition = createDefinition(exchange, hosted) else { return found }
        guard exchange.requestBodyLength == exchange.requestBody.count else {
            found.summary = "\(message) (the body, \(exchange.requestBodyLength) bytes, is longer than k2mock keeps to explain)"
            return found
        }
        guard !exchange.requestBody.isEmpty else {
            found.summary = "\(message): the body is empty; K2 wants a JSON object"
            return found
        }
        guard let body = try? JSON.parse(exchange.requestBody) else {
            found.summary = "\(message): the body is not JSON"
                + (exchange.requestBody.starts(with: [0xEF, 0xBB, 0xBF]) ? " (it starts with a UTF-8 byte order mark)" : "")
            return found
        }
        guard let object = body.objectValue else {
            found.summary = "\(message): the body is \(body.kindName), K2 wants a JSON object"
            return found
        }
        found.ignored = ignoredKeys(object, definition)
        var sentences: [String] = []
        if let path = fieldPath(of: message) {
            // Walk the path (`destinations[0].phone_number`) as far as the body goes.
            var parent = object, walked = ""
            let parts = path.split(separator: ".").map(String.init)
            var missing = parts.last ?? path
            walking: for (offset, part) in parts.enumerated() {
                let (key, indices) = splitIndices(part)
                guard offset < parts.count - 1 else { missing = key; break }
                var value = parent[key]
                for index in indices {
                    guard let items = value?.arrayValue, index < items.count else { missing = key; break walking }
                    value = items[index]
                }
                guard let next = value?.objectValue else { missing = key; break }
                parent = next
                walked += (walked.isEmpty ? "" : ".") + part
            }
            let place = walked.isEmpty ? "the body" : walked
            let wrongType = message.contains(" must be ") && message.contains(", not ")
            if let sent = parent[missing], wrongType {
                sentences.append("\(path) is \(sent.kindName) (\(abbreviated(sent.compactString)))")
            } else if let sent = parent[missing], message.contains(" must ") || message.contains(" is not ") {
                if !message.contains(sent.stringValue ?? sent.compactString) {
                    sentences.append("\(path) was \(abbreviated(sent.compactString))")
                }
            } else if parent[missing] == nil, let (near, why) = nearKey(missing, in: parent.keys) {
                sentences.append("\(place) has `\(near)` where K2 reads `\(missing)`: \(why)")
            } else if parent[missing] == nil {
                let keys = parent.keys.prefix(12).map { "`\($0)`" }.joined(separator: ", ")
                sentences.append("\(place) has no `\(missing)` (it has \(parent.keys.isEmpty ? "no keys" : keys))")
            }
            if missing == "phone_number" || path.hasSuffix("phone_number") || message.contains("phone number") {
                sentences.append("K2 reads a Kenyan number: +2547XXXXXXXX, 2547XXXXXXXX or 07XXXXXXXX")
            }
        } else if let hint = Self.hints[message] {
            sentences.append(hint)
        }
        if let suggestion = closestChoice(in: message, sent: object) { sentences.append(suggestion) }
        if !sentences.isEmpty { found.summary = "\(message): " + sentences.joined(separator: "; ") }
        if !found.ignored.isEmpty { found.details.append(ignoredSentence(found.ignored)) }
        if let callback = callbackNote(object, definition) { found.details.append(callback) }
        return found
    }

    /// `destinations[0]` → (`destinations`, [0]).
    private func splitIndices(_ part: String) -> (String, [Int]) {
        guard let open = part.firstIndex(of: "[") else { return (part, []) }
        let indices = part[open...].split(whereSeparator: { $0 == "[" || $0 == "]" }).compactMap { Int($0) }
        return (String(part[..<open]), indices)
    }

    /// For a value K2 did not accept from a list (`type 'mobile_walet' is not one of mobile_wallet,
    /// ...`, `scope must be till or company`), the choice it is closest to: `did you mean ...?`.
    func closestChoice(in message: String, sent object: JSONObject) -> String? {
        let choices: [String]
        var value: String?
        if let range = message.firstRange(of: " is not one of ") {
            choices = message[range.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: " .") }
            if let open = message.firstIndex(of: "'"), let close = message[message.index(after: open)...].firstIndex(of: "'") {
                value = String(message[message.index(after: open)..<close])
            }
        } else if let range = message.firstRange(of: " must be "), message[range.upperBound...].contains(" or "),
                  !message.contains(", not ") {
            choices = String(message[range.upperBound...]).replacing(" or ", with: ",").split(separator: ",")
                .map { $0.trimmingCharacters(in: " .") }.filter { !$0.contains(" ") }
            let field = String(message[..<range.lowerBound])
            value = object[field]?.stringValue
        } else {
            return nil
        }
        guard let value, !value.isEmpty, !choices.contains(value) else { return nil }
        if let same = choices.first(where: { $0.lowercased() == value.lowercased() }) { return "did you mean `\(same)`? (K2 compares it as written)" }
        let best = choices.map { ($0, editDistance($0, value.lowercased())) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, value.count / 4) else { return nil }
        return "did you mean `\(best.0)`?"
    }

    /// K2's messages that do not start with the field they are about, and what to say.
    static let hints: [String: String] = [:]

    /// The field a K2 message is about: `subscriber is required` → `subscriber`,
    /// `amount.value must be ...` → `amount.value`.
    func fieldPath(of message: String) -> String? {
        if message.hasPrefix("Subscriber phone number") { return "subscriber.phone_number" }
        if message.hasPrefix("Phone number") { return "phone_number" }
        let first = message.prefix { $0 != " " }
        guard !first.isEmpty, first.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "[" || $0 == "]" }),
              first.first?.isLowercase == true || first.first == "_" else { return nil }
        return String(first)
    }

    /// A key of `keys` that means `wanted`: its camelCase, a known synonym, or a near spelling.
    func nearKey(_ wanted: String, in keys: [String]) -> (String, String)? {
        for key in keys where key != wanted && key.lowercased() == wanted {
            return (key, "another case: K2's keys are lowercase")
        }
        for key in keys where key != wanted && snakeCase(key) == wanted {
            return (key, "camelCase, as the Node and PHP SDKs name their options; on the wire K2 reads snake_case")
        }
        for key in keys where Self.synonyms[wanted]?.contains(key.lowercased()) == true {
            return (key, "K2 does not read `\(key)`; it reads the \(wanted == "subscriber" ? "payer" : "value") from `\(wanted)` (docs/k2-api.md)")
        }
        for key in keys where key != wanted && wanted.count > 3 && editDistance(key.lowercased(), wanted) <= 2 {
            return (key, "a near spelling")
        }
        return nil
    }

    static let synonyms: [String: Set<String>] = [
        "url": ["callback_url", "callbackurl", "webhook_url", "endpoint", "uri"],
        "type": ["destination_type", "kind"],
        "subscriber": ["customer", "payer", "client", "user", "sender"],
        "phone_number": ["phone", "msisdn", "mobile", "mobile_number", "phonenumber"],
        "till_number": ["till", "tillnumber", "shortcode", "short_code"],
        "_links": ["links"],
        "callback_url": ["callback", "url", "callbackurl", "result_url"],
        "destination_reference": ["recipient", "recipient_reference", "destination"],
    ]

    /// The kind a create request was for, if `exchange` was one.
    private func createDefinition(_ exchange: Exchange, _ hosted: HostedSandbox) -> (any ResourceDefinition.Type)? {
        guard exchange.method == "POST" else { return nil }
        return hosted.sandbox.kinds.definitions.first { definition in
            definition.createVersions.contains { "/api/v\($0)/\(definition.collection)" == exchange.path }
        }
    }

    /// Top-level keys of a create's body its kind does not read (K2 ignores them).
    func ignoredKeys(_ exchange: Exchange, _ hosted: HostedSandbox) -> [String] {
        guard let definition = createDefinition(exchange, hosted), let object = requestObject(exchange) else { return [] }
        return ignoredKeys(object, definition)
    }

    func ignoredKeys(_ object: JSONObject, _ definition: any ResourceDefinition.Type) -> [String] {
        guard let read = definition.requestSchema["properties"]?.objectValue?.keys, !read.isEmpty else { return [] }
        let known = Set(read).union(["meta_data"])
        return object.keys.filter { !known.contains($0) }
    }

    func ignoredSentence(_ keys: [String]) -> String {
        let shown = keys.prefix(12).map { "`\($0)`" }.joined(separator: ", ")
        return "K2 ignores \(shown)\(keys.count > 12 ? " and \(keys.count - 12) more keys" : "")"
    }

    /// For a kind that calls back: when the body asks for a callback in a way K2 does not read
    /// (a top-level `callback_url`, `callbackUrl`, `_links.callbackUrl`, `links`), what was sent
    /// and that no callback will come.
    func callbackNote(_ object: JSONObject, _ definition: any ResourceDefinition.Type) -> String? {
        guard definition.requestSchema["properties"]?["_links"] != nil else { return nil }
        let sent = callbackKeysSentInstead(object)
        guard !sent.isEmpty else { return nil }
        return "K2 reads a result URL only from `_links.callback_url`; the body has \(sent.map { "`\($0)`" }.joined(separator: ", ")) "
            + "instead, so no callback will come"
    }

    /// Where a body asks for its callback, when not at `_links.callback_url`: a top-level
    /// `callback_url`, `callbackUrl`, `links`..., or another key of `_links`. Empty when it has
    /// `_links.callback_url`, or asks nowhere.
    func callbackKeysSentInstead(_ object: JSONObject) -> [String] {
        let links = object["_links"]?.objectValue
        if let url = links?["callback_url"]?.stringValue, !url.isEmpty { return [] }
        return object.keys.filter { ["callback_url", "callbackurl", "callback", "links", "result_url"].contains($0.lowercased()) }
            + (links?.keys ?? []).filter { $0 != "callback_url" }.map { "_links.\($0)" }
    }

    /// The create body of `exchange` as an object, when it was kept whole.
    func requestObject(_ exchange: Exchange) -> JSONObject? {
        guard exchange.requestBodyLength == exchange.requestBody.count else { return nil }
        return (try? JSON.parse(exchange.requestBody))?.objectValue
    }

    /// The server's own sandbox and every one beside it.
    var everySandbox: [HostedSandbox] { [hub.primary] + hub.all() }
}

extension Substring {
    /// Without the characters of `set` at either end.
    func trimmingCharacters(in set: String) -> String {
        var text = self
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}

/// `phoneNumber` → `phone_number`.
func snakeCase(_ key: String) -> String {
    var out = ""
    for character in key {
        if character.isUppercase {
            if !out.isEmpty { out.append("_") }
            out.append(contentsOf: character.lowercased())
        } else {
            out.append(character)
        }
    }
    return out
}

/// Levenshtein distance, by characters.
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    guard !x.isEmpty else { return y.count }
    guard !y.isEmpty else { return x.count }
    var previous = Array(0...y.count)
    for i in 1...x.count {
        var current = [i] + Array(repeating: 0, count: y.count)
        for j in 1...y.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[y.count]
}

/// A long value shortened for a sentence.
func abbreviated(_ text: String, to length: Int = 60) -> String {
    text.count > length ? String(text.prefix(max(1, length - 3))) + "..." : text
}
