public import K2Sandbox

public import K2MockServer
public import MicroHTTP

/// Starts a sandbox from `scenario`, listening on `127.0.0.1` on a free port, runs `body` with
/// it and stops it, whether `body` returns or throws (callbacks still going out get 1 s).
///
/// - Parameters:
///   - scenario: what it serves; the built-in default unless given.
///   - clock: `.manual` (the default here, so tests move time with `advance`) or `.real`;
///     nil keeps the scenario's.
///   - seed: the id stream's seed; nil keeps the scenario's.
///   - adminToken: guards `/__admin` over HTTP, as `serve --admin-token` does.
/// - Throws: `ScenarioError` for an invalid scenario (file, line and key), a start failure,
///   or what `body` throws.
///
/// ```swift
/// try await withSandbox(.file("scenarios/happy-path.yaml")) { sandbox in
///     let app = MyApp(k2BaseURL: sandbox.baseURL)
///     try await app.pay(amount: 20000)
///     try await sandbox.advance(seconds: 30)
///     #expect(sandbox.callbacks().first?.outcome == .delivered)
/// }
/// ```
public func withSandbox<T>(
    _ scenario: TestScenario = .default, clock: ClockMode? = .manual, seed: UInt64? = nil, adminToken: String? = nil,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (TestSandbox) async throws -> T
) async throws -> T {
    var loaded = try scenario.load()
    if let clock { loaded.clock.mode = clock }
    if let seed { loaded.seed = seed }
    let server = K2MockServer(sandbox: Sandbox(scenario: loaded),
                              configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0), adminToken: adminToken)
    let origin = try await offThePool { try server.start() }
    let sandbox = TestSandbox(server: server, baseURL: origin)
    let result: T
    do {
        result = try await body(sandbox)
    } catch {
        await offThePool { server.stop() }
        throw error
    }
    await offThePool { server.stop() }
    return result
}

/// Makes a sandbox of its own on `shared`'s server, runs `body` with it and deletes it, whether
/// `body` returns or throws: many tests (or parallel ones) share one server this way, each
/// isolated, each seeing only its own resources, clock and deliveries. Parameters as
/// `TestSandbox.sandbox(name:scenario:seed:clock:)`.
///
/// ```swift
/// let shared = ...  // one withSandbox for the suite
/// try await withSandbox(on: shared) { sandbox in
///     let app = MyApp(k2BaseURL: sandbox.baseURL, credentials: sandbox.credentials[0])
///     ...
/// }
/// ```
public func withSandbox<T>(
    on shared: TestSandbox, name: String? = nil, scenario: TestScenario? = nil, seed: UInt64? = nil,
    clock: ClockMode? = .manual, isolation: isolated (any Actor)? = #isolation,
    _ body: (TestSandbox) async throws -> T
) async throws -> T {
    let sandbox = try shared.sandbox(name: name, scenario: scenario, seed: seed, clock: clock)
    defer { sandbox.delete() }
    return try await body(sandbox)
}
