// libFuzzer targets for k2mock's parsers, one binary: `K2MOCK_FUZZ=json|scenario|create|http`
// picks the target (`make fuzz` runs each). Built with `--sanitize=fuzzer --sanitize=address`;
// see fuzz/README.md. Each target states the property it checks: no input may crash or hang,
// and where there is a round trip, it must hold.
import Dispatch
import K2MockServer
import K2Sandbox
import MicroHTTP
import OrderedJSON

#if canImport(Glibc)
import Glibc
#endif

/// The target chosen once, from the environment.
nonisolated(unsafe) private var target: (([UInt8]) -> Void)?

#if !FUZZING
/// Without libFuzzer (a plain `swift build`): runs the inputs in the files given, once each, as
/// the fuzzer would: `K2MOCK_FUZZ=http .build/debug/k2mock-fuzz crash-…` reproduces a finding.
@main
struct Replay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let bytes = FileSystem.read(path) else { complain("cannot read \(path)"); exit(2) }
            _ = bytes.withUnsafeBufferPointer { fuzzOne($0.baseAddress, $0.count) }
            print("ok: \(path)")
        }
    }
}
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if target == nil { target = chooseTarget() }
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    target!(bytes)
    return 0
}

private func chooseTarget() -> ([UInt8]) -> Void {
    let name = getenv("K2MOCK_FUZZ").map { String(cString: $0) } ?? "json"
    switch name {
    case "json": return fuzzJSON
    case "scenario": return fuzzScenario
    case "create": return fuzzCreate
    case "http": return fuzzHTTP
    default:
        complain("K2MOCK_FUZZ must be json, scenario, create or http, not \(name)")
        exit(2)
    }
}

/// JSON text in: parsing never crashes, and what parses serializes to text that parses to the
/// same value.
private func fuzzJSON(_ bytes: [UInt8]) {
    guard let value = try? JSON.parse(bytes) else { return }
    let text = value.serialized()
    guard let again = try? JSON.parse(text) else { fatalError("serialized JSON does not parse: \(text)") }
    precondition(again.serialized() == text, "JSON round trip changed the text")
}

/// Scenario YAML in: the loader answers a scenario or located errors, never a crash. Files it
/// names come from nowhere (every read fails), so only the text itself is exercised.
private func fuzzScenario(_ bytes: [UInt8]) {
    let loader = ScenarioLoader(readFile: { _ in nil })
    _ = try? loader.load(text: String(decoding: bytes, as: UTF8.self), path: "fuzz.yaml")
}

private let createSandbox = Sandbox(scenario: {
    var scenario = DefaultScenario.load()
    scenario.clock = .init(mode: .manual, start: Timestamp(milliseconds: 1_611_817_200_000))
    return scenario
}())
nonisolated(unsafe) private var creates = 0

/// A create request in: the first byte picks the kind, the rest is its JSON body. Every kind's
/// reader answers a resource or a `RequestError`, never a crash; a created one renders.
private func fuzzCreate(_ bytes: [UInt8]) {
    guard let first = bytes.first, let body = try? JSON.parse(Array(bytes.dropFirst())), let object = body.objectValue else { return }
    let kinds = createSandbox.kinds.definitions.filter { !$0.createVersions.isEmpty }
    let definition = kinds[Int(first) % kinds.count]
    let version = definition.createVersions[Int(first) / kinds.count % definition.createVersions.count]
    if let id = try? createSandbox.create(definition.kind, body: object, clientID: "sandbox_client_id",
                                          origin: "http://127.0.0.1:8080", version: version) {
        precondition(createSandbox.resource(definition.kind, id: id) != nil, "a created resource is not found")
    }
    creates += 1
    if creates % 5000 == 0 { createSandbox.reset() }  // bounded state over a long run
}

/// A no-op transport: fuzzed callbacks are answered at once and never leave the process.
private struct NoTransport: CallbackTransport {
    func send(_ job: DeliveryJob) async -> DeliveryResult { DeliveryResult(status: 200, error: nil, latencyMilliseconds: 0) }
}

private let server: K2MockServer = {
    var scenario = DefaultScenario.load()
    scenario.clock = .init(mode: .manual, start: Timestamp(milliseconds: 1_611_817_200_000))
    return K2MockServer(sandbox: Sandbox(scenario: scenario), transport: NoTransport())
}()
nonisolated(unsafe) private var requests = 0

/// An HTTP request as bytes, without a socket: `METHOD TARGET` on the first line, header lines
/// `Name: value` up to a blank line, then the body. It goes through the whole pipeline (admin
/// token, journal, faults, routing, bearer token, endpoint); every answer must be a status
/// from 100 to 599 with K2's error shape for 4xx and 5xx.
private func fuzzHTTP(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    let (head, body) = split(text, "\n\n")
    var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard !lines.isEmpty else { return }
    let requestLine = lines.removeFirst().split(separator: " ", maxSplits: 1).map(String.init)
    let method = requestLine.first ?? "GET"
    let (rawPath, rawQuery) = split(requestLine.count > 1 ? requestLine[1] : "/", "?")
    let query = rawQuery.split(separator: "&").map { pair -> (name: String, value: String) in
        let (name, value) = split(String(pair), "=")
        return (name, value)
    }
    var headers = HTTPHeaders()
    for line in lines {
        let (name, value) = split(line, ":")
        headers.add(name, value.drop(while: { $0 == " " }).description)
    }
    let request = HTTPRequest(method: method, path: rawPath.isEmpty ? "/" : rawPath, query: query, headers: headers,
                              body: Array(body.utf8))
    let response: HTTPResponse
    switch server.handle(request) {
    case .respond(let answer): response = answer
    case .deferred(let work), .committed(let work):
        let done = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var response = HTTPResponse(status: 0) }
        let box = Box()
        Task { box.response = await work(); done.signal() }
        done.wait()
        response = box.response
    case .stream(let head, let stream):
        stream.close()
        response = head
    }
    precondition((100...599).contains(response.status), "status \(response.status)")
    if response.status >= 400, !response.body.isEmpty {
        let error = try? JSON.parse(response.body)
        precondition(error?["error_code"]?.numberLexeme == String(response.status) || error?["error"] != nil,
                     "a \(response.status) without K2's error shape: \(String(decoding: response.body, as: UTF8.self))")
    }
    requests += 1
    if requests % 5000 == 0 { server.sandbox.reset() }
}

private func split(_ text: String, _ separator: String) -> (String, String) {
    guard let range = text.firstRange(of: separator) else { return (text, "") }
    return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
}

private func complain(_ text: String) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
