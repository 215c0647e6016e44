import K2Sandbox
import OrderedJSON

extension Explainer {
    /// Resource `id` of `hosted` explained: its kind and stage, what chose its timeline, the
    /// stages still due (sandbox times), and its callback: none asked, not due yet, attempts
    /// and their outcomes, the next retry, given up; who signs it and how a receiver checks it.
    /// `{"resource":{...},"summary","timeline":{...},"callback":{...}}`; nil when this sandbox
    /// has no resource of that id (ids compare case-insensitively).
    public func resource(_ id: String, in hosted: HostedSandbox) -> JSON? {
        let sandbox = hosted.sandbox
        guard let resource = sandbox.resource(id: id) else { return nil }
        let kind = resource.kind
        let definition = sandbox.kinds.definition(of: kind)
        let head: JSON = [
            "kind": .string(kind.rawValue), "id": .string(resource.id), "path": .string(resource.path),
            "stage": resource.stage.map { .string($0.rawValue) } ?? .null,
            "created_at": resource.createdAt.map { .string($0.iso8601()) } ?? .null,
        ]
        guard !resource.isFixture else {
            return ["resource": head, "summary": .string("\(kind) \(resource.id) is a fixture of the scenario: served as loaded, it never changes"),
                    "timeline": .null, "callback": .null]
        }
        let now = sandbox.now()
        let due = resource.steps.filter { !$0.reached }
        var summary = "\(kind) \(resource.id)"
        if let stage = resource.stage { summary += " is \(stage)" } else { summary += " has no stages (it is made at once)" }
        if let next = due.first { summary += "; \(next.stage) is due at \(next.at.iso8601())" }
        if let chosen = resource.timelineChosenBy { summary += " (\(chosen))" }

        var timeline: JSON = .null
        if let chosen = resource.timelineChosenBy {
            timeline = [
                "chosen_by": .string(chosen),
                "steps": .array(resource.steps.map { step in
                    ["stage": .string(step.stage.rawValue), "at": .string(step.at.iso8601()), "reached": .bool(step.reached)]
                }),
                "now": .string(now.iso8601()),
            ]
        }

        let finals = definition.map { definition in definition.stages.filter(definition.finalStages.contains).map(\.rawValue) } ?? []
        let client = resource.clientID ?? "?"
        var signing: JSONObject = [
            "client": .string(client),
            "key": .string("client \(client)'s api key (the scenario's credentials entry for it; not shown)"),
            "signature": .string("X-KopoKopo-Signature: HMAC-SHA256 of the exact body bytes with that api key, as lowercase hex"),
        ]
        if resource.deliveryQuirks.badSignature {
            signing["note"] = "its timeline rule's delivery.bad_signature signs it with a wrong key on purpose: a receiver must refuse it"
        }
        if resource.deliveryQuirks.duplicates > 0 {
            signing["duplicates"] = .int(resource.deliveryQuirks.duplicates)
        }
        var callback = JSONObject()
        let deliveries = sandbox.deliveries().filter { $0.kind == .callback && $0.subjectID.lowercased() == resource.id.lowercased() }
        if definition?.stages.isEmpty ?? true {
            callback["state"] = "none"
            callback["why"] = .string("a \(kind) has no stages, so no result is posted")
        } else if resource.callbackURL == nil {
            callback["state"] = "none asked"
            var why = "`_links.callback_url` was not given"
            if let sent = sentInsteadOfCallbackURL(resource.id, in: sandbox) {
                why += sent == ["callback_url"] ? " (a top-level `callback_url` was, and K2 does not read it)"
                    : " (\(sent.map { "`\($0)`" }.joined(separator: ", ")) \(sent.count == 1 ? "was" : "were"), and K2 does not read \(sent.count == 1 ? "it" : "them"))"
            }
            callback["why"] = .string(why)
            summary += "; no callback: \(why)"
        } else if deliveries.isEmpty {
            callback["state"] = "not due yet"
            callback["url"] = .string(resource.callbackURL ?? "")
            let finalDue = due.first { finals.contains($0.stage.rawValue) }
            let delay = resource.deliveryQuirks.delay
            let sendAt = finalDue.map { $0.at + delay }
            var why = "it is posted when the \(kind) reaches \(finals.joined(separator: " or "))"
                + (finalDue.map { ", due at \($0.at.iso8601())" } ?? "")
            if delay > .zero, let sendAt { why += ", and sent \(delay) later (the rule's delivery.delay), at \(sendAt.iso8601())" }
            if sandbox.clockMode == .manual, let sendAt {
                let seconds = (sendAt.milliseconds - now.milliseconds + 999) / 1000
                why += "; the manual clock reads \(now.iso8601()): it moves only when advanced "
                    + "(POST /__admin/clock/advance {\"seconds\": \(seconds)} gets there)"
            } else if finalDue == nil {
                why += "; no such stage is due: its timeline ends at \(resource.steps.last?.stage.rawValue ?? "its first stage")"
            }
            callback["why"] = .string(why)
            if let sendAt {
                summary += "; its callback comes at \(finalDue?.stage.rawValue ?? ""), \(sendAt.iso8601())"
            } else {
                callback["state"] = "none coming"
                summary += "; no callback will come: its timeline ends at \(resource.steps.last?.stage.rawValue ?? "its first stage"), "
                    + "not at \(finals.joined(separator: " or "))"
            }
        } else {
            let delivery = deliveries[deliveries.count - 1]
            callback["url"] = .string(delivery.url)
            callback["delivery"] = .int(delivery.id)
            switch delivery.outcome {
            case .delivered:
                callback["state"] = "delivered"
                summary += "; its callback was delivered"
            case .failed:
                callback["state"] = "given up"
                callback["why"] = .string("every attempt the retry policy allows failed (the scenario's callbacks.retry)")
                summary += "; its callback was given up after \(delivery.attempts.count) attempts"
            case .pending:
                callback["state"] = delivery.attempts.isEmpty ? "due" : "retrying"
                if let next = delivery.nextAttemptAt {
                    callback["next_attempt_at"] = .string(next.iso8601())
                    summary += "; its callback's next attempt is at \(next.iso8601())"
                        + (sandbox.clockMode == .manual && next <= now ? " (due: advance the clock to send it)" : "")
                }
            }
            callback["attempts"] = .array(delivery.attempts.map { attempt in
                ["attempt": .int(attempt.number), "at": .string(attempt.at.iso8601()),
                 "status": attempt.status.map { .int($0) } ?? .null, "error": attempt.error.map(JSON.string) ?? .null,
                 "outcome": .string(attempt.delivered ? "delivered" : attempt.interrupted ? "interrupted" : "failed")]
            })
            callback["sent_signature"] = .string(delivery.signature)
        }
        callback["signed_with"] = .object(signing)
        return ["resource": head, "summary": .string(summary), "timeline": timeline, "callback": .object(callback)]
    }

    /// What the create of resource `id` sent instead of `_links.callback_url`, while the
    /// transcript keeps it: a top-level `callback_url`, `callbackUrl`, `_links.callbackUrl`...
    private func sentInsteadOfCallbackURL(_ id: String, in sandbox: Sandbox) -> [String]? {
        let suffix = "/" + id.lowercased()
        guard let create = sandbox.lastExchange(where: { _, exchange in
            exchange.method == "POST" && exchange.status == 201
                && exchange.responseHeaders.contains { $0.name.lowercased() == "location" && $0.value.lowercased().hasSuffix(suffix) }
        }), let object = requestObject(create.exchange) else { return nil }
        let sent = callbackKeysSentInstead(object)
        return sent.isEmpty ? nil : sent
    }
}
