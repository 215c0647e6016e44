/// One problem in a scenario file, located for an editor to jump to.
public struct ScenarioIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    /// `FILE:LINE:COLUMN: message`, the form compilers use.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// A scenario that cannot be used, with every problem found in it.
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    public var issues: [ScenarioIssue]

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
