import K2MockTestSupport
import K2MockTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif


/// The real binary stopped while its callbacks hang.
@Suite(.serialized) struct StopTests {
    @Test func sigtermWithCallbacksHangingExitsWithinAboutASecond() throws {
        let stuck = try MisbehavingReceiver(.neverAnswer)
        defer { stuck.stop() }
        let path = "/tmp/k2mock-stop-\(getpid()).yaml"
        let file = fopen(path, "w")
        fputs("""
            version: 1
            clock: { mode: real }
            credentials: [{ client_id: c, client_secret: s, api_key: k }]
            tokens: [{ value: t, client_id: c }]
            callbacks: { timeout: 30s }
            timelines:
              incoming_payment: [{ after: 0s, stage: Pending }, { after: 0s, stage: Success }]
            """, file)
        fclose(file)
        defer { unlink(path) }
        let server = try ServerProcess(arguments: ["--scenario", path])
        let client = try RawHTTPClient(port: server.port)
        let body = #"{"till_number":"K1","subscriber":{"phone_number":"0712345678"},"amount":{"currency":"KES","value":1},"_links":{"callback_url":"\#(stuck.url())"}}"#
        for _ in 0..<40 {
            let created = try client.request("POST", "/api/v2/incoming_payments",
                                             headers: [("Authorization", "Bearer t"), ("Content-Type", "application/json")], body: body)
            #expect(created.status == 201)
        }
        let deadline = monotonicSeconds() + 20
        while stuck.accepted < 32, monotonicSeconds() < deadline { usleep(5000) }
        #expect(stuck.accepted == 32, "32 POSTs to the one receiver at once, the rest waiting")
        let started = monotonicSeconds()
        #expect(server.stop() == 0)
        let took = monotonicSeconds() - started
        #expect(took < 10, "exit took \(took) s with callbacks hanging for 30 s")
        #expect(stuck.accepted == 32, "nothing more was sent after the signal")
    }
}
