@testable import K2MockServer
import K2Sandbox
import OrderedJSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct RequestLogTests {
    private func logged(_ format: RequestLog.Format, _ path: String, sandbox: String? = nil) -> String {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        let log = RequestLog(format: format, descriptor: fds[1])
        log.log(at: Timestamp(iso8601: "2021-01-28T10:00:00+03:00")!, method: "GET", path: path, status: 200, sandbox: sandbox)
        log.flush()
        close(fds[1])
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = read(fds[0], &bytes, bytes.count)
        close(fds[0])
        return String(decoding: bytes[..<max(0, count)], as: UTF8.self)
    }

    @Test func textLinesAndJSONLines() throws {
        #expect(logged(.text, "/api/v1/payments/x") == "2021-01-28T10:00:00.000+03:00 GET /api/v1/payments/x 200\n")
        let line = logged(.json, "/a\"b")
        let json = try JSON.parse(Array(line.utf8.dropLast()))
        #expect(json == ["time": "2021-01-28T10:00:00.000+03:00", "method": "GET", "path": "/a\"b", "status": 200])
        #expect(logged(.none, "/x").isEmpty)
    }

    /// A path is percent-decoded: a `%0A` or an escape in it is written escaped, never as a
    /// second (forged) line or a terminal control.
    @Test func aPathCannotBreakItsLine() throws {
        #expect(logged(.text, "/api/v1/payments/x\n2026-01-01T03:00:00.000+03:00 GET /forged 200\u{1B}[31m")
                == "2021-01-28T10:00:00.000+03:00 GET /api/v1/payments/x\\u000a2026-01-01T03:00:00.000+03:00 GET /forged 200\\u001b[31m 200\n")
        #expect(logged(.text, "/caf\u{E9}\t") == "2021-01-28T10:00:00.000+03:00 GET /caf\u{E9}\\u0009 200\n")
    }

    /// A request to a sandbox beside the server's own says which.
    @Test func aSandboxsLinesNameIt() throws {
        #expect(logged(.text, "/api/v1/payments/x", sandbox: "worker-3")
                == "2021-01-28T10:00:00.000+03:00 [worker-3] GET /api/v1/payments/x 200\n")
        let json = try JSON.parse(Array(logged(.json, "/x", sandbox: "worker-3").utf8.dropLast()))
        #expect(json["sandbox"] == "worker-3")
    }

    @Test func eachLineCarriesItsOwnMillisecond() {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        let log = RequestLog(format: .text, descriptor: fds[1])
        let first = Timestamp(iso8601: "2021-01-28T10:00:00+03:00")!
        for (offset, path) in [(0, "/a"), (0, "/b"), (1, "/c"), (0, "/d")] {
            log.log(at: Timestamp(milliseconds: first.milliseconds + Int64(offset)), method: "GET", path: path, status: 200)
        }
        log.flush()
        close(fds[1])
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = read(fds[0], &bytes, bytes.count)
        close(fds[0])
        #expect(String(decoding: bytes[..<max(0, count)], as: UTF8.self) == """
            2021-01-28T10:00:00.000+03:00 GET /a 200
            2021-01-28T10:00:00.000+03:00 GET /b 200
            2021-01-28T10:00:00.001+03:00 GET /c 200
            2021-01-28T10:00:00.000+03:00 GET /d 200

            """)
    }

    /// Flushes write from one buffer while lines go into the other: across many flushes, of
    /// batches large and small, every line comes out once, whole and in order.
    @Test func everyLineComesOutOnceAcrossFlushes() {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        let log = RequestLog(format: .text, descriptor: fds[1])
        let at = Timestamp(iso8601: "2021-01-28T10:00:00+03:00")!
        var expected = ""
        var number = 0
        var output: [UInt8] = []
        for batch in [1, 300, 0, 2, 1_000, 5, 1_000, 0, 1] {
            for _ in 0..<batch {
                log.log(at: at, method: "GET", path: "/p/\(number)", status: 200)
                expected += "2021-01-28T10:00:00.000+03:00 GET /p/\(number) 200\n"
                number += 1
            }
            log.flush()
            // Read what this flush wrote (the pipe holds 64 kB; a batch is under 60 kB).
            var bytes = [UInt8](repeating: 0, count: 1 << 16)
            var available: Int32 = 0
            _ = ioctl(fds[0], UInt(FIONREAD), &available)
            if available > 0 {
                let count = read(fds[0], &bytes, Int(available))
                output += bytes[..<max(0, count)]
            }
        }
        close(fds[1])
        close(fds[0])
        #expect(String(decoding: output, as: UTF8.self) == expected)
    }

    /// A refused request's line ends with why; what a body carries never breaks a line.
    @Test func aRefusedRequestsLineSaysWhyOnOneLine() async throws {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        let log = RequestLog(format: .text, descriptor: fds[1])
        var scenario = DefaultScenario.load()
        scenario.clock = .init(mode: .manual, start: Timestamp(iso8601: "2021-01-28T10:00:00+03:00"))
        let server = K2MockServer(sandbox: Sandbox(scenario: scenario), transport: FakeTransport(), log: log)
        let auth = [("Authorization", "Bearer \(docsToken)"), ("Content-Type", "application/json")]
        _ = await server.send("POST", "/api/v1/incoming_payments", headers: auth,
                              body: #"{"till_number":"K1","customer":{"phone_number":"+254799999999"},"amount":{"currency":"KES","value":1}}"#)
        _ = await server.send("POST", "/api/v2/send_money", headers: auth,
                              body: #"{"currency":"KES","destinations":[{"type":"mobile_wallet","phone_number":"0712345678","amount":5}],"x\nFORGED 200":1}"#)
        _ = await server.send("GET", "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364", headers: auth)
        log.flush()
        close(fds[1])
        var bytes = [UInt8](repeating: 0, count: 8192)
        let count = read(fds[0], &bytes, bytes.count)
        close(fds[0])
        let lines = String(decoding: bytes[..<max(0, count)], as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.first?.hasSuffix("POST /api/v1/incoming_payments 400 — subscriber is required: "
            + "the body has `customer` where K2 reads `subscriber`: K2 does not read `customer`; "
            + "it reads the payer from `subscriber` (docs/k2-api.md)") == true, "\(lines.first ?? "")")
        #expect(lines.dropFirst().first?.contains(#"K2 ignores `x\u000aFORGED 200`"#) == true, "\(lines)")
        #expect(lines.last?.hasSuffix("GET /api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364 200") == true, "a GET that succeeds says nothing more")
    }
}
