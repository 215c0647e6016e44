import OrderedJSON
import Yams

/// Reads scenario files: YAML in, a checked `Scenario` out, or every problem with its file,
/// line and column. A scenario with any problem is refused whole.
public struct ScenarioLoader: Sendable {
    /// Reads a file's bytes by path; nil when it cannot be read.
    public var readFile: @Sendable (String) -> [UInt8]?
    /// The kinds a scenario may name (fixtures' `data.type`, timeline keys, rules, stages).
    public var kinds: KindRegistry

    /// A loader for scenarios of `kinds`, reading files through `readFile` (the disk by default).
    public init(kinds: KindRegistry = .standard, readFile: @escaping @Sendable (String) -> [UInt8]? = FileSystem.read) {
        self.kinds = kinds
        self.readFile = readFile
    }


    /// Loads the scenario file at `path`; throws `ScenarioError` listing every problem.
    public func load(path: String) throws(ScenarioError) -> Scenario {
        guard let bytes = readFile(path) else {
            let why = FileSystem.isDirectory(path) ? "is a directory: give a scenario file (say scenarios/happy-path.yaml)"
                : "cannot read the file"
            throw ScenarioError(issues: [ScenarioIssue(file: path, line: 1, column: 1, message: why)])
        }
        return try load(text: String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// Loads scenario YAML `text`, naming it `path` in messages and resolving fixtures against it.
    public func load(text: String, path: String) throws(ScenarioError) -> Scenario {
        let reader = YAMLReader(file: path)
        let root: Node?
        do {
            // The basic resolver: scalars are read by their text and style (`YAMLReader`), so
            // the default's tags are never looked at, and its regular expressions would start
            // ICU's regex engine on every start (8.8 million instructions).
            root = try Yams.compose(yaml: text, .basic)
        } catch {
            reader.fail(line: yamlErrorLine(error).0, column: yamlErrorLine(error).1, "not valid YAML: \(yamlProblem(error))")
            throw ScenarioError(issues: reader.issues)
        }
        guard let root else {
            reader.fail(line: 1, column: 1, "the file is empty")
            throw ScenarioError(issues: reader.issues)
        }
        let scenario = parse(root, reader: reader, path: path)
        if !reader.issues.isEmpty {
            throw ScenarioError(issues: reader.issues.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
        }
        return scenario
    }

    private func parse(_ root: Node, reader: YAMLReader, path: String) -> Scenario {
        var scenario = Scenario(source: path)
        scenario.kinds = kinds
        guard let pairs = reader.mapping(root, "the scenario", allowed: ScenarioKeys.topLevel) else {
            return scenario
        }
        if !pairs.contains(where: { $0.key == "version" }) {
            reader.fail(root, "missing key 'version' (this k2mock reads version: 1)")
        }
        for (key, keyNode, value) in pairs {
            switch key {
            case "version":
                if let version = reader.integer(value, "version"), version != 1 {
                    reader.fail(value, "version \(version) is not supported (this k2mock reads version: 1)")
                }
            case "seed":
                scenario.seed = reader.unsigned(value, "seed")
            case "clock":
                scenario.clock = parseClock(value, reader: reader)
            case "credentials":
                scenario.credentials = parseCredentials(value, reader: reader)
            case "tokens":
                scenario.tokens = parseTokens(value, reader: reader)
            case "fixtures":
                scenario.fixtures = parseFixtures(value, reader: reader, scenarioPath: path)
            case "timelines":
                scenario.timelines = parseTimelines(value, reader: reader)
            case "callbacks":
                scenario.callbacks = parseCallbacks(value, reader: reader)
            case "events":
                scenario.events = parseEvents(value, reader: reader)
            case "faults":
                scenario.faults = parseFaults(value, reader: reader)
            case "expect":
                scenario.expectations = parseExpectations(value, reader: reader, path: path)
            default:
                reader.fail(keyNode, "'\(key)' is part of the scenario format but not supported by this version of k2mock yet")
            }
        }
        let clientIDs = Set(scenario.credentials.map(\.clientID))
        if case .mapping(let mapping) = root, let tokensNode = mapping["tokens"], case .sequence(let list) = tokensNode {
            for (token, node) in zip(scenario.tokens, list) where !clientIDs.contains(token.clientID) {
                reader.fail(node, "token's client_id '\(token.clientID)' is not among the credentials")
            }
        }
        return scenario
    }

    private func parseClock(_ node: Node, reader: YAMLReader) -> Scenario.ClockSettings {
        var clock = Scenario.ClockSettings()
        for (key, _, value) in reader.mapping(node, "clock", allowed: ScenarioKeys.clock) ?? [] {
            switch key {
            case "mode":
                if let text = reader.string(value, "clock.mode") {
                    if let mode = ClockMode(rawValue: text) { clock.mode = mode } else {
                        reader.fail(value, "clock.mode must be 'real' or 'manual'")
                    }
                }
            case "start":
                if let text = reader.string(value, "clock.start") {
                    if let start = Timestamp(iso8601: text) { clock.start = start } else {
                        reader.fail(value, "clock.start must be an ISO-8601 time such as 2021-01-28T10:00:00+03:00")
                    }
                }
            default:
                if let scale = reader.number(value, "clock.scale") {
                    if scale > 0, scale <= 1_000_000 { clock.scale = scale } else {
                        reader.fail(value, "clock.scale must be above 0 and at most 1000000")
                    }
                }
            }
        }
        return clock
    }

    private func parseCredentials(_ node: Node, reader: YAMLReader) -> [ClientCredentials] {
        var result: [ClientCredentials] = []
        for item in reader.sequence(node, "credentials") ?? [] {
            guard let pairs = reader.mapping(item, "a credentials entry",
                                             allowed: ScenarioKeys.credentials) else { continue }
            var fields: [String: String] = [:]
            var ttl: Int64 = 3600
            for (key, _, value) in pairs {
                if key == "token_ttl" {
                    if let span = reader.duration(value, "credentials.token_ttl") {
                        if span.milliseconds >= 1000 { ttl = span.milliseconds / 1000 } else {
                            reader.fail(value, "credentials.token_ttl must be at least 1s")
                        }
                    }
                } else if let text = reader.string(value, "credentials.\(key)") {
                    if text.isEmpty { reader.fail(value, "credentials.\(key) must not be empty") }
                    fields[key] = text
                }
            }
            let missing = ["client_id", "client_secret", "api_key"].filter { fields[$0] == nil }
            if !missing.isEmpty {
                reader.fail(item, "credentials entry lacks \(missing.joined(separator: ", "))")
                continue
            }
            if result.contains(where: { $0.clientID == fields["client_id"] }) {
                reader.fail(item, "client_id '\(fields["client_id"]!)' appears twice")
            }
            result.append(ClientCredentials(clientID: fields["client_id"]!, clientSecret: fields["client_secret"]!,
                                            apiKey: fields["api_key"]!, tokenTTL: ttl))
        }
        return result
    }

    private func parseTokens(_ node: Node, reader: YAMLReader) -> [Scenario.PreissuedToken] {
        var result: [Scenario.PreissuedToken] = []
        for item in reader.sequence(node, "tokens") ?? [] {
            guard let pairs = reader.mapping(item, "a tokens entry", allowed: ScenarioKeys.tokens) else { continue }
            var value: String?, clientID: String?, expiresIn: TimeSpan?
            for (key, _, field) in pairs {
                switch key {
                case "value": value = reader.string(field, "tokens.value")
                case "client_id": clientID = reader.string(field, "tokens.client_id")
                default: expiresIn = reader.duration(field, "tokens.expires_in")
                }
            }
            guard let value, let clientID else {
                reader.fail(item, "tokens entry needs value and client_id")
                continue
            }
            if value.isEmpty || value.contains(where: { $0 == " " || $0.isNewline }) {
                reader.fail(item, "tokens.value must be non-empty and contain no spaces")
            }
            result.append(Scenario.PreissuedToken(value: value, clientID: clientID, expiresIn: expiresIn))
        }
        return result
    }

    private func parseFixtures(_ node: Node, reader: YAMLReader, scenarioPath: String) -> [Scenario.Fixture] {
        var result: [Scenario.Fixture] = []
        for item in reader.sequence(node, "fixtures") ?? [] {
            guard let relative = reader.string(item, "a fixtures entry (a path)") else { continue }
            let path = FileSystem.resolve(relative, against: scenarioPath)
            guard let bytes = readFile(path) else {
                reader.fail(item, "fixture file '\(relative)' not found (looked at \(path))")
                continue
            }
            do {
                let fixture = try Scenario.Fixture(path: path, bytes: bytes, kinds: kinds)
                if result.contains(where: { $0.kind == fixture.kind && $0.id == fixture.id }) {
                    reader.fail(item, "fixture '\(relative)': \(fixture.kind.rawValue) \(fixture.id) is already defined")
                }
                result.append(fixture)
            } catch {
                reader.fail(item, "fixture '\(relative)' \(error.message)")
            }
        }
        return result
    }

    private func parseCallbacks(_ node: Node, reader: YAMLReader) -> CallbackSettings {
        var settings = CallbackSettings()
        for (key, _, value) in reader.mapping(node, "callbacks", allowed: ScenarioKeys.callbacks) ?? [] {
            if key == "proxy" {
                if let proxy = reader.string(value, "callbacks.proxy") {
                    if isHTTPURL(proxy) { settings.proxy = proxy } else {
                        reader.fail(value, "callbacks.proxy must be an http:// or https:// URL")
                    }
                }
                continue
            }
            if key == "timeout" {
                if let timeout = reader.duration(value, "callbacks.timeout") {
                    if timeout.milliseconds >= 1 && timeout.milliseconds <= 600_000 { settings.timeout = timeout } else {
                        reader.fail(value, "callbacks.timeout must be from 1ms to 10m")
                    }
                }
                continue
            }
            for (retryKey, _, retryValue) in reader.mapping(value, "callbacks.retry", allowed: ScenarioKeys.retry) ?? [] {
                if retryKey == "attempts" {
                    if let attempts = reader.integer(retryValue, "callbacks.retry.attempts", range: 1...100) {
                        settings.attempts = Int(attempts)
                    }
                } else if let items = reader.sequence(retryValue, "callbacks.retry.backoff") {
                    settings.backoff = items.compactMap { reader.duration($0, "callbacks.retry.backoff") }
                }
            }
        }
        return settings
    }

    /// `{match: {method, path}, nth, respond: {status, body}, latency}`.
    private func parseFaults(_ node: Node, reader: YAMLReader) -> [Fault] {
        var faults: [Fault] = []
        for item in reader.sequence(node, "faults") ?? [] {
            guard let pairs = reader.mapping(item, "a faults entry", allowed: ScenarioKeys.fault) else { continue }
            var fault = Fault()
            fault.source = "\(reader.file):\(item.mark?.line ?? 1)"
            // A status or latency that was given but is wrong is reported once, as such.
            var gaveStatusOrLatency = false
            for (key, _, value) in pairs {
                switch key {
                case "match":
                    for (field, _, fieldValue) in reader.mapping(value, "faults.match", allowed: ScenarioKeys.faultMatch) ?? [] {
                        if field == "method" { fault.method = reader.string(fieldValue, "faults.match.method")?.uppercased() }
                        else { fault.path = reader.string(fieldValue, "faults.match.path") }
                    }
                case "nth": fault.nth = reader.integer(value, "faults.nth", range: 1...1_000_000).map { Int($0) }
                case "respond":
                    for (field, _, fieldValue) in reader.mapping(value, "faults.respond", allowed: ScenarioKeys.faultRespond) ?? [] {
                        if field == "status" {
                            gaveStatusOrLatency = true
                            fault.status = reader.integer(fieldValue, "faults.respond.status", range: 100...599).map { Int($0) }
                        }
                        else { fault.body = reader.string(fieldValue, "faults.respond.body") }
                    }
                default:
                    gaveStatusOrLatency = true
                    fault.latency = reader.duration(value, "faults.latency")
                }
            }
            if fault.status == nil, fault.latency == nil {
                if !gaveStatusOrLatency { reader.fail(item, "a faults entry needs respond (a status) or latency") }
                continue
            }
            faults.append(fault)
        }
        return faults
    }

    /// `{requests: {method, path}, count}` or `{callbacks: {outcome, kind, url}, count}`.
    private func parseExpectations(_ node: Node, reader: YAMLReader, path: String) -> [Expectation] {
        var expectations: [Expectation] = []
        for item in reader.sequence(node, "expect") ?? [] {
            guard let pairs = reader.mapping(item, "an expect entry", allowed: ScenarioKeys.expectation) else { continue }
            var subject: Expectation.Subject?
            var count: Int?
            for (key, _, value) in pairs {
                switch key {
                case "requests":
                    var method: String?, pattern: String?
                    for (field, _, fieldValue) in reader.mapping(value, "expect.requests", allowed: ScenarioKeys.expectedRequests) ?? [] {
                        if field == "method" { method = reader.string(fieldValue, "expect.requests.method") }
                        else { pattern = reader.string(fieldValue, "expect.requests.path") }
                    }
                    subject = .requests(method: method, path: pattern)
                case "callbacks":
                    var outcome: String?, kind: String?, url: String?
                    for (field, _, fieldValue) in reader.mapping(value, "expect.callbacks", allowed: ScenarioKeys.expectedCallbacks) ?? [] {
                        let text = reader.string(fieldValue, "expect.callbacks.\(field)")
                        switch field {
                        case "outcome":
                            if let text, !ScenarioKeys.outcomes.contains(text) {
                                reader.fail(fieldValue, "expect.callbacks.outcome must be pending, delivered or failed")
                            }
                            outcome = text
                        case "kind":
                            if let text, !ScenarioKeys.deliveryKinds.contains(text) {
                                reader.fail(fieldValue, "expect.callbacks.kind must be callback or webhook")
                            }
                            kind = text
                        default: url = text
                        }
                    }
                    subject = .callbacks(outcome: outcome, kind: kind, url: url)
                default: count = reader.integer(value, "expect.count", range: 0...1_000_000_000).map { Int($0) }
                }
            }
            guard let subject, let count else {
                // A count that was given but is wrong is reported once, as such.
                if subject == nil || !pairs.contains(where: { $0.key == "count" }) {
                    reader.fail(item, "an expect entry needs requests or callbacks, and count")
                }
                continue
            }
            let line = item.mark?.line ?? 1
            expectations.append(Expectation(subject: subject, count: count, source: "\(path):\(line)"))
        }
        return expectations
    }

    /// `{delay, duplicates, bad_signature}`: deliberate misbehaviour of a delivery.
    private func parseQuirks(_ node: Node, reader: YAMLReader) -> DeliveryQuirks {
        var quirks = DeliveryQuirks()
        for (key, _, value) in reader.mapping(node, "delivery", allowed: ScenarioKeys.delivery) ?? [] {
            switch key {
            case "delay": quirks.delay = reader.duration(value, "delivery.delay") ?? .zero
            case "duplicates": quirks.duplicates = Int(reader.integer(value, "delivery.duplicates", range: 0...100) ?? 0)
            default:
                if case .scalar(let scalar) = value, ["true", "false"].contains(scalar.string) {
                    quirks.badSignature = scalar.string == "true"
                } else {
                    reader.fail(value, "delivery.bad_signature must be true or false")
                }
            }
        }
        return quirks
    }

    private func parseEvents(_ node: Node, reader: YAMLReader) -> [ScriptedEvent] {
        var events: [ScriptedEvent] = []
        let topics = WebhookTopic.all.map(\.rawValue)
        for item in reader.sequence(node, "events") ?? [] {
            guard let pairs = reader.mapping(item, "an events entry", allowed: ScenarioKeys.event) else { continue }
            var at: TimeSpan?, topic: WebhookTopic?, resource = JSONObject(), quirks = DeliveryQuirks()
            for (key, _, value) in pairs {
                switch key {
                case "at": at = reader.duration(value, "events.at")
                case "topic":
                    if let name = reader.string(value, "events.topic") {
                        topic = WebhookTopic(rawValue: name)
                        if topic == nil { reader.fail(value, "events.topic '\(name)' is not one of \(topics.joined(separator: ", "))") }
                    }
                case "resource":
                    if let json = yamlToJSON(value, reader: reader, context: "events.resource"), let object = json.objectValue {
                        resource = object
                    } else {
                        reader.fail(value, "events.resource must be a mapping of the event resource's fields")
                    }
                default: quirks = parseQuirks(value, reader: reader)
                }
            }
            guard let at, let topic else {
                if !pairs.contains(where: { $0.key == "at" }) || !pairs.contains(where: { $0.key == "topic" }) {
                    reader.fail(item, "an events entry needs at and topic")
                }
                continue
            }
            events.append(ScriptedEvent(at: at, topic: topic, resource: resource, quirks: quirks))
        }
        return events
    }

    /// A YAML value as JSON: quoted scalars stay strings; plain ones become null, booleans and
    /// integers where YAML reads them so, else strings (K2 sends amounts as strings: quote them or not).
    private func yamlToJSON(_ node: Node, reader: YAMLReader, context: String) -> JSON? {
        reader.valuesLeft -= 1
        guard reader.valuesLeft >= 0 else {
            if reader.valuesLeft == -1 {
                reader.fail(node, "\(context): more than \(YAMLReader.maxValues) values (YAML aliases expand to copies)")
            }
            return nil
        }
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            switch scalar.string {
            case "~", "null", "Null", "NULL": return .null
            case "true", "True": return .bool(true)
            case "false", "False": return .bool(false)
            default:
                if let integer = Int64(scalar.string) { return .int(integer) }
                return .string(scalar.string)
            }
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                guard let name = key.string, let json = yamlToJSON(value, reader: reader, context: context) else { return nil }
                object[name] = json
            }
            return .object(object)
        case .sequence(let sequence):
            var items: [JSON] = []
            for value in sequence {
                guard let json = yamlToJSON(value, reader: reader, context: context) else { return nil }
                items.append(json)
            }
            return .array(items)
        case .alias:
            reader.fail(node, "\(context): YAML aliases are not supported")
            return nil
        }
    }

    private func parseTimelines(_ node: Node, reader: YAMLReader) -> Timelines {
        var timelines = Timelines()
        for (key, _, value) in reader.mapping(node, "timelines", allowed: ScenarioKeys.timelines(kinds)) ?? [] {
            if key == "rules" {
                for item in reader.sequence(value, "timelines.rules") ?? [] {
                    if let rule = parseRule(item, reader: reader) { timelines.rules.append(rule) }
                }
            } else if let definition = kinds.definition(of: ResourceKind(key)),
                      let steps = parseSteps(value, definition: definition, context: "timelines.\(key)", reader: reader) {
                timelines.defaults[definition.kind] = steps
            }
        }
        return timelines
    }

    private func parseRule(_ node: Node, reader: YAMLReader) -> TimelineRule? {
        guard let pairs = reader.mapping(node, "a timelines rule", allowed: ScenarioKeys.rule) else { return nil }
        guard let matchNode = pairs.first(where: { $0.key == "match" })?.value,
              let timelineNode = pairs.first(where: { $0.key == "timeline" })?.value else {
            reader.fail(node, "a timelines rule needs match and timeline")
            return nil
        }
        guard let fields = reader.mapping(matchNode, "match", allowed: ScenarioKeys.ruleMatch) else { return nil }
        guard let resourceNode = fields.first(where: { $0.key == "resource" })?.value,
              let resourceName = reader.string(resourceNode, "match.resource") else {
            reader.fail(matchNode, "match needs resource (one of \(kinds.timelineKinds.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        let kind = ResourceKind(resourceName)
        guard let definition = kinds.definition(of: kind), kinds.timelineKinds.contains(kind) else {
            reader.fail(resourceNode, "match.resource must be one of \(kinds.timelineKinds.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        var rule = TimelineRule(kind: kind, timeline: [])
        rule.source = "\(reader.file):\(node.mark?.line ?? 1)"
        for (key, keyNode, value) in fields where key != "resource" {
            guard let ruleKey = RuleKey(rawValue: key), definition.ruleKeys.contains(ruleKey) else {
                let usable = RuleKey.allCases.filter(definition.ruleKeys.contains).map(\.rawValue)
                reader.fail(keyNode, "match.\(key) never matches a \(kind) (it can match on \(usable.isEmpty ? "nothing" : usable.joined(separator: ", ")))")
                continue
            }
            switch ruleKey {
            case .amount:
                if case .scalar(let scalar) = value, let money = Money(decimal: scalar.string) {
                    rule.amountCents = money.cents
                } else {
                    reader.fail(value, "match.amount must be an amount such as 404 or 100.50")
                }
            case .phoneNumber:
                if let phone = reader.string(value, "match.phone_number") {
                    rule.phoneDigits = digitsOnly(normalizedKenyanPhone(phone) ?? phone)
                }
            case .destinationType: rule.destinationType = reader.string(value, "match.destination_type")
            case .tillNumber: rule.tillNumber = reader.string(value, "match.till_number")
            case .metadata:
                if case .mapping(let mapping) = value {
                    for (k, v) in mapping {
                        if let k = k.string, let v = reader.string(v, "match.metadata.\(k)") { rule.metadata[k] = v }
                    }
                } else {
                    reader.fail(value, "match.metadata must be a mapping of keys to values")
                }
            }
        }
        if let deliveryNode = pairs.first(where: { $0.key == "delivery" })?.value {
            rule.quirks = parseQuirks(deliveryNode, reader: reader)
        }
        guard let steps = parseSteps(timelineNode, definition: definition, context: "timeline", reader: reader) else { return nil }
        rule.timeline = steps
        return rule
    }

    /// A list of `{after, stage, error}`: stages the kind has, times not going back, nothing
    /// after a final stage, `error` only on Failed.
    private func parseSteps(
        _ node: Node, definition: any ResourceDefinition.Type, context: String, reader: YAMLReader
    ) -> [TimelineStep]? {
        guard let items = reader.sequence(node, context) else { return nil }
        if items.isEmpty { reader.fail(node, "\(context) needs at least one step") }
        let kind = definition.kind, allowedStages = definition.stages
        var steps: [TimelineStep] = []
        var valid = true
        for item in items {
            guard let pairs = reader.mapping(item, "a \(context) step", allowed: ScenarioKeys.step) else { valid = false; continue }
            var after: TimeSpan?, stage: Stage?, error: String?
            var stageNode: Node?
            for (key, _, value) in pairs {
                switch key {
                case "after": after = reader.duration(value, "\(context).after")
                case "stage":
                    stageNode = value
                    if let name = reader.string(value, "\(context).stage") {
                        if allowedStages.contains(Stage(rawValue: name)) { stage = Stage(rawValue: name) } else {
                            reader.fail(value, "unknown stage '\(name)' for \(kind.rawValue) (stages: \(allowedStages.map(\.rawValue).joined(separator: ", ")))")
                        }
                    }
                default: error = reader.string(value, "\(context).error")
                }
            }
            guard let after, let stage else {
                if stageNode == nil || !pairs.contains(where: { $0.key == "after" }) { reader.fail(item, "a \(context) step needs after and stage") }
                valid = false
                continue
            }
            if let previous = steps.last {
                if definition.finalStages.contains(previous.stage) {
                    reader.fail(item, "\(context): nothing can follow the final stage \(previous.stage.rawValue)")
                    valid = false
                }
                if after < previous.after {
                    reader.fail(item, "\(context): steps must not go back in time (\(after) after \(previous.after))")
                    valid = false
                }
            }
            if error != nil, stage != .failed {
                reader.fail(item, "\(context): error is only for a Failed stage")
                valid = false
            }
            steps.append(TimelineStep(after: after, stage: stage, error: error))
        }
        return valid ? steps : nil
    }

    private func yamlErrorLine(_ error: any Error) -> (Int, Int) {
        switch error as? YamlError {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return (mark.line, mark.column)
        case .duplicatedKeysInMapping(_, let context):
            return (context.mark.line, context.mark.column)
        default:
            return (1, 1)
        }
    }

    private func yamlProblem(_ error: any Error) -> String {
        switch error as? YamlError {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicated keys: \(duplicates.joined(separator: ", "))"
        default:
            return "\(error)"
        }
    }
}
