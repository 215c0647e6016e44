// The docs' GET answered in-process, no socket: what the K2 work itself costs per request
// (routing, the token check, the lookup, splicing `self`, the journal entry and log line),
// free of the network noise that dominates `bench/run.sh` on these machines.
// Run by `bench/inprocess.sh`; prints nanoseconds per GET for three rounds, then, with
// `created` after the count, the same for a created payment: one read again and again (its
// body kept), and 5,000 read in turn (more than the store keeps rendered, so each read renders
// its body). `bench/instructions.sh` runs it without, to count the docs' GET alone.
import K2MockServer
import K2Sandbox
import MicroHTTP
#if canImport(Glibc)
import Glibc
#endif

let devNull = open("/dev/null", O_WRONLY)
let server = K2MockServer(
    sandbox: Sandbox(scenario: DefaultScenario.load()), log: RequestLog(format: .text, descriptor: devNull))
var headers = HTTPHeaders()
headers.add("Host", "127.0.0.1:8080")
headers.add("Authorization", "Bearer 0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q")
let request = HTTPRequest(method: "GET", path: "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364", headers: headers)

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

let count = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000_000
var bytes = 0
for round in 1...3 {
    let start = monotonicSeconds()
    for _ in 0..<count {
        guard case .respond(let response) = server.handle(request), response.status == 200 else {
            fatalError("the docs' GET did not answer 200")
        }
        bytes &+= response.body.count
    }
    let elapsed = monotonicSeconds() - start
    print("round \(round): \(Int((elapsed / Double(count) * 1e9).rounded())) ns per GET")
}
print("(\(bytes) body bytes)")
guard CommandLine.arguments.dropFirst(2).first == "created" else { exit(0) }

var create = HTTPRequest(method: "POST", path: "/api/v1/payments", headers: headers)
create.headers.add("Content-Type", "application/json")
create.body = Array(#"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":100},"metadata":{"notes":"bench"},"_links":{"callback_url":"https://example.com/k2"}}"#.utf8)
var created: [HTTPRequest] = []
for _ in 0..<5000 {
    guard case .respond(let response) = server.handle(create), response.status == 201,
          let location = response.headers["Location"] else { fatalError("a create did not answer 201") }
    created.append(HTTPRequest(method: "GET", path: String(location.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" }), headers: headers))
}
@MainActor func readRounds(_ label: String, _ requests: [HTTPRequest]) {
    for round in 1...3 {
        let start = monotonicSeconds()
        for index in 0..<count {
            guard case .respond(let response) = server.handle(requests[index % requests.count]), response.status == 200 else {
                fatalError("a created payment's GET did not answer 200")
            }
            bytes &+= response.body.count
        }
        let elapsed = monotonicSeconds() - start
        print("\(label) round \(round): \(Int((elapsed / Double(count) * 1e9).rounded())) ns per GET")
    }
}
readRounds("created payment, kept body", [created[0]])
readRounds("created payments, rendered each read", created)
