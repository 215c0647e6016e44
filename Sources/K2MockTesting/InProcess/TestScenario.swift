public import K2Sandbox

/// Which scenario a test sandbox starts from: the built-in default, a YAML file, or YAML text.
public struct TestScenario: Sendable {
    private enum Source: Sendable {
        case builtIn
        case file(String)
        case yaml(String, name: String)
    }

    private let source: Source

    /// The scenario `k2mock serve` runs without `--scenario` (`scenarios/default.yaml`).
    public static let `default` = TestScenario(source: .builtIn)

    /// A scenario file; relative paths resolve against the working directory.
    public static func file(_ path: String) -> TestScenario { TestScenario(source: .file(path)) }

    /// A scenario given as YAML text; `name` is the file name its errors are reported under.
    public static func yaml(_ text: String, name: String = "inline.yaml") -> TestScenario {
        TestScenario(source: .yaml(text, name: name))
    }

    /// As `POST /__admin/sandboxes` names it: a path or YAML text; both nil for the built-in
    /// default, which a sandbox made beside a server reads as the server's own scenario.
    var fields: (path: String?, yaml: String?) {
        switch source {
        case .builtIn: return (nil, nil)
        case .file(let path): return (path, nil)
        case .yaml(let text, _): return (nil, text)
        }
    }

    /// Loads it. Throws `ScenarioError` (every issue with its file, line and key) when it is not valid.
    func load() throws(ScenarioError) -> Scenario {
        switch source {
        case .builtIn: return DefaultScenario.load()
        case .file(let path): return try ScenarioLoader().load(path: path)
        case .yaml(let text, let name): return try ScenarioLoader().load(text: text, path: name)
        }
    }
}
