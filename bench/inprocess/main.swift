// The docs' GET answered in-process, no socket: what the K2 work itself costs per request
// (routing, the token check, the lookup, splicing `self`, the journal entry and log line),
// free of the network noise that dominates `bench/run.sh` on these machines.
// Run by `bench/inprocess.sh`; prints nanoseconds per GET for three rounds.
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
