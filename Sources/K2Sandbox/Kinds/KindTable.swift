/// The README's table of resource kinds, written from a registry and the default timelines, so
/// the documentation cannot drift from what is served (`k2mock kinds` prints it; a test holds
/// the README to it).
public enum KindTable {
    /// A Markdown table: per kind its `data.type`, endpoints, stages with their default timeline
    /// (sandbox time after creation), when it calls back, the keys a timeline rule may match on,
    /// and what else is particular to it.
    public static func markdown(_ kinds: KindRegistry = .standard, timelines: Timelines = DefaultScenario.timelines) -> String {
        var lines = [
            "| resource (`data.type`) | endpoints | stages → default timeline | callback | rules match on | what it is |",
            "|---|---|---|---|---|---|",
        ]
        for definition in kinds.definitions {
            var endpoints = ["`GET " + versions(definition.versions) + "/\(definition.collection)/{id}`"]
            if !definition.createVersions.isEmpty {
                endpoints.append("`POST " + versions(definition.createVersions) + "/\(definition.collection)`")
            }
            for action in definition.actions {
                endpoints.append("`POST " + versions(action.versions) + "/\(definition.collection)/{id}/\(action.name)`")
            }
            let timeline = timelines.plan(for: definition.kind, MatchFacts()).timeline
            let stages: String
            if definition.stages.isEmpty {
                stages = "none"
            } else {
                var steps = timeline.map { step in "`\(step.stage)`" + (step.after.milliseconds == 0 ? "" : " \(step.after)") }
                if steps.isEmpty { steps = ["`\(definition.stages[0])`"] }
                let others = definition.stages.filter { stage in !timeline.contains { $0.stage == stage } && stage != definition.stages[0] }
                stages = steps.joined(separator: " → ") + (others.isEmpty ? "" : " (or " + others.map { "`\($0)`" }.joined(separator: ", ") + ")")
            }
            let finals = definition.stages.filter(definition.finalStages.contains)
            let callback = finals.isEmpty ? "–" : "at " + finals.map { "`\($0)`" }.joined(separator: "/")
            let ruleKeys = RuleKey.allCases.filter(definition.ruleKeys.contains).map { "`\($0.rawValue)`" }
            let rules = definition.stages.isEmpty ? "–" : ruleKeys.isEmpty ? "nothing (kind only)" : ruleKeys.joined(separator: ", ")
            lines.append("| `\(definition.kind)` | \(endpoints.joined(separator: ", ")) | \(stages) | \(callback) | \(rules) | \(definition.summary) |")
        }
        return lines.joined(separator: "\n")
    }

    /// `/api/v1`, or `/api/v{1,2}` for several versions.
    private static func versions(_ versions: [Int]) -> String {
        versions.count == 1 ? "/api/v\(versions[0])" : "/api/v{" + versions.map(String.init).joined(separator: ",") + "}"
    }
}
