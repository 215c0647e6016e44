import K2MockTestSupport
import K2MockTesting
import Locking
import MicroHTTP
import Testing

#if canImport(Glibc)
import Glibc
#endif

private let root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
private let happyPath = root + "/scenarios/happy-path.yaml"
private let auth = [("Authorization", "Bearer demo-token"), ("Content-Type", "application/json")]
private let form = [("Content-Type", "application/x-www-form-urlencoded")]
private let recipient = #"{"type":"mobile_wallet","pay_recipient":{"first_name":"Ann","last_name":"Doe","email":"a@example.com","phone_number":"254712345678","network":"Safaricom"}}"#

private func payment(_ callback: String, value: Int = 100) -> String {
    #"{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":\#(value)},"_links":{"callback_url":"\#(callback)"}}"#
}

private func stkPush(_ callback: String) -> String {
    #"{"payment_channel":"M-PESA STK Push","till_number":"K000000","subscriber":{"first_name":"Joe","last_name":"Buyer","phone_number":"0712345678","email":"j@example.com"},"amount":{"currency":"KES","value":"250"},"metadata":{"order":"7"},"_links":{"callback_url":"\#(callback)"}}"#
}

/// A fresh directory under /tmp, removed by `remove()`.
private struct TemporaryDirectory {
    let path: String
    init(_ name: String) {
        path = "/tmp/k2mock-data-\(name)-\(getpid())"
        remove()
    }
    func remove() { _ = ServerProcess.run(binary: "/bin/rm", ["-rf", path]) }
    var database: String { path + "/k2mock.sqlite" }
}

private func writeFile(_ path: String, _ text: String) {
    let file = fopen(path, "w")
    fputs(text, file)
    fclose(file)
}

private func writeBytes(_ path: String, _ bytes: [UInt8]) {
    let file = fopen(path, "w")
    _ = fwrite(bytes, 1, bytes.count, file)
    fclose(file)
}

/// `k2mock arguments...` to its end, killed after 30 s if it has not ended (it should refuse to start).
private func k2mock(_ arguments: [String]) -> (status: Int32, output: String) {
    ServerProcess.run(binary: "/usr/bin/timeout", ["30", ServerProcess.defaultBinary()] + arguments)
}

private func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "r") else { return [] }
    defer { fclose(file) }
    var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count <= 0 { break }
        bytes += chunk[..<count]
    }
    return bytes
}

/// A port nothing listens on now.
private func freePort() throws -> Int {
    let probe = try CallbackReceiver()
    defer { probe.stop() }
    return probe.port
}

/// The path part of a `location` header.
private func path(_ response: RawHTTPClient.Response, _ server: ServerProcess) throws -> String {
    String(try #require(response.header("location")).dropFirst(server.origin.count))
}

/// `--data-dir`: the real binary stopped (SIGTERM and kill -9) and started again on the same directory.
@Suite(.serialized) struct DataDirectoryTests {
    @Test func killedWhileCreatingItLosesNothingItAnswered() throws {
        // The STK push calls back first (10 s), then the payment (30 s), whose first attempt fails.
        let receiver = try CallbackReceiver(statuses: [200, 500])
        defer { receiver.stop() }
        let directory = TemporaryDirectory("kill")
        defer { directory.remove() }
        let arguments = ["--scenario", happyPath, "--data-dir", directory.path, "--log-format", "none"]
        let server = try ServerProcess(arguments: arguments)
        let client = try RawHTTPClient(port: server.port)

        let issued = try client.request("POST", "/oauth/token", headers: form,
                                        body: "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret")
        let token = try #require(issued.text.split(separator: "\"").dropFirst(3).first.map(String.init))
        let revoked = try client.request("POST", "/oauth/token", headers: form,
                                         body: "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret")
        let revokedToken = try #require(revoked.text.split(separator: "\"").dropFirst(3).first.map(String.init))
        #expect(try client.request("POST", "/oauth/revoke", headers: form,
                                   body: "client_id=demo-client&client_secret=demo-secret&token=\(revokedToken)").status == 200)
        var answered: [(path: String, body: [UInt8]?)] = []
        for (target, body) in [("/api/v1/pay_recipients", recipient), ("/api/v1/payments", payment(receiver.url())),
                               ("/api/v1/incoming_payments", stkPush(receiver.url()))] {
            let created = try client.request("POST", target, headers: auth, body: body)
            #expect(created.status == 201, "\(target): \(created.text)")
            answered.append((try path(created, server), nil))
        }
        // The payment's first attempt is answered 500: its retry is due 10 s later.
        #expect(try client.request("POST", "/__admin/clock/advance", body: #"{"seconds":30}"#).text.contains(#""status":500"#))
        for index in answered.indices {
            answered[index].body = try client.request("GET", answered[index].path, headers: auth).body
        }

        // Four clients create payments until the process is killed under them.
        let made = Locked<[(path: String, body: [UInt8]?)]>([])
        let finished = Locked(0)
        let port = server.port, origin = server.origin
        for _ in 0..<4 {
            startThread {
                defer { finished.withLock { $0 += 1 } }
                guard let client = try? RawHTTPClient(port: port) else { return }
                while let created = try? client.request("POST", "/api/v1/payments", headers: auth, body: payment(receiver.url())),
                      created.status == 201, let location = created.header("location") {
                    let path = String(location.dropFirst(origin.count))
                    made.withLock { $0.append((path, nil)) }
                    guard let got = try? client.request("GET", path, headers: auth) else { return }
                    made.withLock { made in
                        if let index = made.firstIndex(where: { $0.path == path }) { made[index].body = got.body }
                    }
                }
            }
        }
        let deadline = monotonicSeconds() + 30
        while made.withLock({ $0.count }) < 60, monotonicSeconds() < deadline { usleep(1000) }
        #expect(server.kill() == 128 + SIGKILL)
        while finished.withLock({ $0 }) < 4, monotonicSeconds() < deadline + 30 { usleep(1000) }
        answered += made.withLock { $0 }
        #expect(answered.count >= 63)

        let restarted = try ServerProcess(arguments: arguments)
        defer { restarted.stop() }
        let again = try RawHTTPClient(port: restarted.port)
        for (path, body) in answered {
            let got = try again.request("GET", path, headers: auth)
            #expect(got.status == 200, "\(path) got a 201 before the kill")
            if let body {
                // The self link names the origin the GET came to: each process has its own port.
                let before = String(decoding: body, as: UTF8.self).replacing(server.origin, with: "ORIGIN")
                #expect(got.text.replacing(restarted.origin, with: "ORIGIN") == before, "\(path): the same bytes as before the kill")
            }
        }
        #expect(try again.request("GET", answered[1].path, headers: [("Authorization", "Bearer \(token)")]).status == 200)
        let refused = try again.request("GET", answered[1].path, headers: [("Authorization", "Bearer \(revokedToken)")])
        #expect(refused.status == 401)
        #expect(refused.text.contains("revoked"))

        // Pending callbacks go out: the payment's retry, then every payment made under the kill.
        let before = receiver.requests.count
        #expect(try again.request("POST", "/__admin/clock/advance", body: #"{"seconds":60}"#).status == 200)
        let delivered = receiver.requests.count - before
        // A create committed but killed before its 201 went out exists too (at most one per client).
        let answeredCount = made.withLock { $0.count }
        #expect(delivered >= 1 + answeredCount && delivered <= 1 + answeredCount + 4,
                "the retry and one callback per payment made before the kill: \(delivered) for \(answeredCount)")
        let health = try again.request("GET", "/__admin/health").text
        #expect(health.contains(#""failed":0"#))
        #expect(health.contains(#""pending":0"#))
    }

    /// SIGTERM while clients create: a create the stop cut short is either answered 201 or not
    /// answered at all, never refused (a 503) yet kept.
    @Test func stoppedWhileCreatingItKeepsNothingItRefused() throws {
        let receiver = try CallbackReceiver()
        defer { receiver.stop() }
        let directory = TemporaryDirectory("stop")
        defer { directory.remove() }
        let arguments = ["--scenario", happyPath, "--data-dir", directory.path, "--log-format", "none"]
        let server = try ServerProcess(arguments: arguments)
        let payments = { (client: RawHTTPClient) throws -> Int in
            try client.request("GET", "/__admin/resources").text.ranges(of: #"{"kind":"payment","#).count
        }
        let fixtures = try payments(try RawHTTPClient(port: server.port))

        struct Answers { var created = 0, refused = 0, unanswered = 0, finished = 0 }
        let answers = Locked(Answers())
        let port = server.port
        for _ in 0..<4 {
            startThread {
                defer { answers.withLock { $0.finished += 1 } }
                guard let client = try? RawHTTPClient(port: port) else { return }
                while true {
                    guard let created = try? client.request("POST", "/api/v1/payments", headers: auth, body: payment(receiver.url())) else {
                        answers.withLock { $0.unanswered += 1 }
                        return
                    }
                    guard created.status == 201 else {
                        answers.withLock { $0.refused += 1 }
                        return
                    }
                    answers.withLock { $0.created += 1 }
                }
            }
        }
        let deadline = monotonicSeconds() + 30
        while answers.withLock({ $0.created }) < 40, monotonicSeconds() < deadline { usleep(1000) }
        #expect(server.stop() == 0)
        while answers.withLock({ $0.finished }) < 4, monotonicSeconds() < deadline + 30 { usleep(1000) }
        let counted = answers.withLock { $0 }

        let restarted = try ServerProcess(arguments: arguments)
        defer { restarted.stop() }
        let kept = try payments(try RawHTTPClient(port: restarted.port)) - fixtures
        #expect(kept >= counted.created && kept <= counted.created + counted.unanswered,
                "\(kept) kept: \(counted.created) answered 201, \(counted.refused) refused, \(counted.unanswered) unanswered")
    }

    /// Same scenario, seed, port and manual clock: a run stopped halfway and started again on its
    /// data directory answers every request, and sends every callback and signature, byte for
    /// byte as a run that never stopped (wall-time latencies aside).
    @Test(arguments: ["sigterm", "kill"]) func aRestartHalfwayChangesNoByte(_ how: String) throws {
        let receiver = try CallbackReceiver(statuses: [500, 200, 503])
        defer { receiver.stop() }
        let steps: [(String, String, [(String, String)], String?)] = [
            ("POST", "/oauth/token", form, "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret"),
            ("POST", "/api/v1/payments", auth, payment(receiver.url(), value: 1)),
            ("POST", "/api/v1/incoming_payments", auth, stkPush(receiver.url())),
            ("POST", "/api/v2/webhook_subscriptions", auth,
             #"{"event_type":"buygoods_transaction_received","url":"\#(receiver.url("/hooks"))","scope":"company"}"#),
            ("POST", "/__admin/clock/advance", [], #"{"seconds":7}"#),
            ("POST", "/__admin/events", [], #"{"topic":"buygoods_transaction_received","resource":{"amount":"250.0"}}"#),
            ("POST", "/api/v1/payments", auth, payment(receiver.url(), value: 2)),
            // -- the restart comes here --
            ("POST", "/__admin/clock/advance", [], #"{"seconds":31}"#),
            ("POST", "/api/v1/pay_recipients", auth, recipient),
            ("POST", "/oauth/token", form, "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret"),
            ("POST", "/__admin/clock/advance", [], #"{"seconds":60}"#),
            ("GET", "/__admin/resources", [], nil),
            ("GET", "/__admin/callbacks", [], nil),
            ("GET", "/__admin/requests", [], nil),
        ]
        func normalised(_ text: String) -> String {
            var text = text
            // Latencies are wall time: keep the key, drop the figure.
            while let range = text.firstRange(of: #""latency_ms":"#) {
                let end = text[range.upperBound...].firstIndex { !"0123456789.".contains($0) } ?? text.endIndex
                text.replaceSubrange(range.lowerBound..<end, with: "\"latency\":_")
            }
            return text
        }
        func run(restartAfter: Int?) throws -> [String] {
            let directory = TemporaryDirectory("replay-\(how)")
            defer { directory.remove() }
            let arguments = ["--scenario", happyPath, "--data-dir", directory.path, "--log-format", "none", "--port", String(port)]
            var server = try ServerProcess(arguments: arguments)
            var client = try RawHTTPClient(port: server.port)
            var transcript: [String] = []
            let received = receiver.requests.count
            for (index, (method, target, headers, body)) in steps.enumerated() {
                if index == restartAfter {
                    if how == "kill" { server.kill() } else { #expect(server.stop() == 0) }
                    server = try ServerProcess(arguments: arguments)
                    client = try RawHTTPClient(port: server.port)
                }
                let response = try client.request(method, target, headers: headers, body: body ?? "")
                transcript.append("\(method) \(target) \(response.status) \(normalised(response.text))")
            }
            server.stop()
            for request in receiver.requests.dropFirst(received) {
                transcript.append("callback \(request.path) \(request.headers["X-KopoKopo-Signature"] ?? "") "
                    + String(decoding: request.body, as: UTF8.self))
            }
            return transcript
        }
        // One port for every process, so that self links, and the signatures over them, match.
        let port = try freePort()
        let straight = try run(restartAfter: nil)
        receiver.reset(statuses: [500, 200, 503])
        let restarted = try run(restartAfter: 7)
        #expect(straight.count == restarted.count)
        for (a, b) in zip(straight, restarted) where a != b {
            let at = zip(a, b).prefix { $0 == $1 }.count
            Issue.record("differs after \(at) characters:\n  straight:  …\(a.dropFirst(max(0, at - 120)).prefix(240))\n  restarted: …\(b.dropFirst(max(0, at - 120)).prefix(240))")
        }
        #expect(straight.contains { $0.hasPrefix("callback /hooks") }, "a webhook event was delivered")
        #expect(straight.filter { $0.hasPrefix("callback /k2/result") }.count >= 3, "callbacks were delivered")
        #expect(straight.contains { $0.contains(#""status":500"#) }, "and retried")
    }

    @Test func aResetEmptiesTheDirectoryToo() throws {
        let directory = TemporaryDirectory("reset")
        defer { directory.remove() }
        let arguments = ["--scenario", happyPath, "--data-dir", directory.path]
        let server = try ServerProcess(arguments: arguments)
        let client = try RawHTTPClient(port: server.port)
        let created = try client.request("POST", "/api/v1/pay_recipients", headers: auth, body: recipient)
        let target = try path(created, server)
        #expect(try client.request("POST", "/__admin/reset").status == 200)
        server.kill()
        let restarted = try ServerProcess(arguments: arguments)
        defer { restarted.stop() }
        #expect(try RawHTTPClient(port: restarted.port).request("GET", target, headers: auth).status == 404)
    }

    @Test func anotherScenarioSeedOrClockIsRefusedUnlessResetDataSaysSo() throws {
        let directory = TemporaryDirectory("refusals")
        defer { directory.remove() }
        let other = directory.path + "-other.yaml"
        writeFile(other, String(decoding: readFile(happyPath), as: UTF8.self).replacing("seed: 42", with: "seed: 43")
            .replacing("../fixtures/", with: root + "/fixtures/"))
        defer { unlink(other) }
        let base = ["serve", "--port", "0", "--data-dir", directory.path]
        let server = try ServerProcess(arguments: ["--scenario", happyPath, "--data-dir", directory.path])
        #expect(server.stop() == 0)

        let scenario = k2mock(base + ["--scenario", other])
        #expect(scenario.status == 64)
        #expect(scenario.output.contains("from another scenario"))
        #expect(scenario.output.contains("--reset-data"))
        let seed = k2mock(base + ["--scenario", happyPath, "--seed", "7"])
        #expect(seed.status == 64)
        #expect(seed.output.contains("with seed 42, not 7"))
        let clock = k2mock(base + ["--scenario", happyPath, "--clock", "real"])
        #expect(clock.status == 64)
        #expect(clock.output.contains("on a manual clock, not a real one"))
        let reset = try ServerProcess(arguments: ["--scenario", other, "--data-dir", directory.path, "--reset-data"])
        #expect(reset.stop() == 0)
        let again = try ServerProcess(arguments: ["--scenario", other, "--data-dir", directory.path])
        #expect(again.stop() == 0)
        let noDirectory = k2mock(["serve", "--reset-data"])
        #expect(noDirectory.status == 64)
    }

    @Test func aSecondK2mockOnTheSameDirectoryIsRefusedNamingTheHolder() throws {
        let directory = TemporaryDirectory("lock")
        defer { directory.remove() }
        let server = try ServerProcess(arguments: ["--data-dir", directory.path])
        defer { server.stop() }
        let second = k2mock(["serve", "--port", "0", "--data-dir", directory.path])
        #expect(second.status == 75)
        #expect(second.output.contains("pid \(server.pid)"), "\(second.output)")
    }

    /// Sandboxes made beside the server's own come back after kill -9: each from its scenario as
    /// it was read when made (the file is not read again), with its inputs, tokens, clock and
    /// journals; a deleted one stays gone, its token refused.
    @Test func sandboxesComeBackAfterAKillAndADeletedOneStaysGone() throws {
        let directory = TemporaryDirectory("sandboxes")
        defer { directory.remove() }
        let scenarioFile = directory.path + ".yaml"
        defer { _ = ServerProcess.run(binary: "/bin/rm", ["-f", scenarioFile]) }
        writeFile(scenarioFile, """
            version: 1
            seed: 9
            clock: { mode: manual, start: "2024-05-01T09:00:00+03:00" }
            credentials:
              - { client_id: file-client, client_secret: file-secret, api_key: file-key }
            tokens:
              - { value: file-token, client_id: file-client }
            """)
        let arguments = ["--scenario", happyPath, "--data-dir", directory.path, "--log-format", "none"]
        let server = try ServerProcess(arguments: arguments)
        var killed = false
        defer { if !killed { _ = server.kill() } }
        let client = try RawHTTPClient(port: server.port)
        let json = [("Content-Type", "application/json")]
        // w4: a manual clock that names no start, never advanced, resumes where it stood (it
        // came back at the wall time of its making).
        let startless = directory.path + "-startless.yaml"
        defer { _ = ServerProcess.run(binary: "/bin/rm", ["-f", startless]) }
        writeFile(startless, "version: 1\nseed: 4\nclock: { mode: manual }\n")
        for body in [#"{"name":"w1","seed":3}"#, #"{"name":"w2","scenario":"\#(scenarioFile)"}"#, #"{"name":"w3"}"#,
                     #"{"name":"w4","scenario":"\#(startless)"}"#] {
            let made = try client.request("POST", "/__admin/sandboxes", headers: json, body: body)
            #expect(made.status == 201, "\(made.text)")
        }
        let issued = try client.request("POST", "/oauth/token", headers: form,
                                        body: "grant_type=client_credentials&client_id=demo-client-w1&client_secret=demo-secret-w1")
        let token = try #require(issued.text.split(separator: "\"").dropFirst(3).first.map(String.init))
        let w1 = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
        let w2 = [("Authorization", "Bearer file-token-w2"), ("Content-Type", "application/json")]
        let paid = try client.request("POST", "/api/v1/payments", headers: w1, body: payment("http://127.0.0.1:9/cb"))
        #expect(paid.status == 201)
        let saved = try client.request("POST", "/api/v1/pay_recipients", headers: w2, body: recipient)
        #expect(saved.status == 201)
        #expect(try client.request("POST", "/__admin/sandboxes/w1/clock/advance", headers: json, body: #"{"seconds":7}"#).status == 200)
        #expect(try client.request("DELETE", "/__admin/sandboxes/w3").status == 200)
        let reads: [(String, [(String, String)])] = [
            ("/__admin/sandboxes", []), (try path(paid, server), w1), (try path(saved, server), w2),
            ("/__admin/sandboxes/w1/clock", []), ("/__admin/sandboxes/w2/clock", []), ("/__admin/sandboxes/w1/requests", []),
            ("/__admin/sandboxes/w1/callbacks", []), ("/__admin/sandboxes/w2/resources", []),
            ("/__admin/sandboxes/w4/clock", []),
        ]
        let before = try reads.map { try client.request("GET", $0.0, headers: $0.1).text }
        killed = true
        #expect(server.kill() == 128 + SIGKILL)
        // What the sandbox was made from is kept: an edited file changes nothing.
        writeFile(scenarioFile, "this: [is not a scenario")

        let again = try ServerProcess(arguments: arguments)
        defer { _ = again.stop() }
        let after = try RawHTTPClient(port: again.port)
        for (index, read) in reads.enumerated() {
            let text = try after.request("GET", read.0, headers: read.1).text
                .split(separator: again.origin, omittingEmptySubsequences: false).joined(separator: server.origin)
            #expect(text == before[index], "\(read.0)")
        }
        #expect(try after.request("GET", "/__admin/sandboxes/w3").status == 404)
        #expect(try after.request("GET", "/api/v1/payments/x", headers: [("Authorization", "Bearer demo-token-w3")]).status == 401)
        // And it goes on serving.
        let next = try after.request("POST", "/api/v1/pay_recipients", headers: w2, body: recipient)
        #expect(next.status == 201)
    }

    /// Work still running on a deleted sandbox (here a create held by a fault's latency) never
    /// lands in a sandbox made again under its name: the directory restarts, and the new one
    /// holds only its own inputs.
    @Test func aDeletedSandboxsLateWorkStaysOutOfItsSuccessor() throws {
        let directory = TemporaryDirectory("successor")
        defer { directory.remove() }
        let arguments = ["--scenario", happyPath, "--data-dir", directory.path, "--log-format", "none"]
        let server = try ServerProcess(arguments: arguments)
        var killed = false
        defer { if !killed { _ = server.kill() } }
        let client = try RawHTTPClient(port: server.port)
        let json = [("Content-Type", "application/json")]
        let slow = #"{"name":"w","scenario_yaml":"version: 1\nseed: 5\nclock: { mode: manual }\ncredentials:\n  - { client_id: c, client_secret: s, api_key: k }\ntokens:\n  - { value: t, client_id: c }\nfaults:\n  - { match: { method: POST, path: /api/v1/pay_recipients }, latency: 3s }\n"}"#
        #expect(try client.request("POST", "/__admin/sandboxes", headers: json, body: slow).status == 201)
        let late = Locked<Int?>(nil)
        let port = server.port
        let thread = JoinableThread {
            let other = try? RawHTTPClient(port: port)
            let answer = try? other?.request("POST", "/api/v1/pay_recipients",
                                             headers: [("Authorization", "Bearer t-w"), ("Content-Type", "application/json")],
                                             body: recipient)
            late.withLock { $0 = answer?.status ?? -1 }
        }
        // While that create waits out its latency (give it half a second to arrive), the sandbox
        // is deleted and made again.
        usleep(500_000)
        #expect(try client.request("DELETE", "/__admin/sandboxes/w").status == 200)
        #expect(try client.request("POST", "/__admin/sandboxes", headers: json, body: #"{"name":"w"}"#).status == 201)
        thread.join()
        #expect(late.withLock { $0 } == 201, "the create was in flight on the deleted sandbox, and answered")
        let before = try client.request("GET", "/__admin/sandboxes/w/resources").text
        killed = true
        #expect(server.kill() == 128 + SIGKILL)

        let again = try ServerProcess(arguments: arguments)
        defer { _ = again.stop() }
        let after = try RawHTTPClient(port: again.port)
        #expect(try after.request("GET", "/__admin/sandboxes/w/resources").text
            .split(separator: again.origin, omittingEmptySubsequences: false).joined(separator: server.origin) == before)
        #expect(try after.request("GET", "/__admin/sandboxes/w/requests").text == "[]")
    }

    /// A directory an earlier k2mock wrote (layout 1: commands named `issue_token`, `advanced`,
    /// …) is refused at start with a line naming both layouts and what to do, and left alone.
    @Test func anEarlierLayoutIsRefusedSayingWhatToDo() throws {
        let directory = TemporaryDirectory("layout")
        defer { directory.remove() }
        _ = ServerProcess.run(binary: "/bin/mkdir", ["-p", directory.path])
        // A directory as layout 1 wrote it: its own tables (no `sandbox` or `made` columns).
        let written = ServerProcess.run(binary: "/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("CREATE TABLE commands (seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, wall_ms INTEGER NOT NULL, name TEXT NOT NULL, args TEXT NOT NULL)")
            db.execute("CREATE TABLE requests (seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, status INTEGER NOT NULL)")
            db.execute("INSERT INTO commands (at_ms, wall_ms, name, args) VALUES (0, 0, 'issue_token', '{}')")
            for key, value in [("format", "1"), ("scenario_sha256", "x"), ("scenario", "s"), ("seed", "42"), ("seed_given", "true"),
                               ("clock_mode", "manual"), ("time_scale", "1"), ("start_ms", "0"), ("anchor_wall_ms", "0")]:
                db.execute("INSERT INTO meta VALUES (?, ?)", (key, value))
            db.commit()
            """, directory.database])
        #expect(written.status == 0, "\(written.output)")
        let arguments = ["serve", "--port", "0", "--scenario", happyPath, "--data-dir", directory.path]
        let before = readFile(directory.database)
        let refused = k2mock(arguments)
        #expect(refused.status == 65)
        #expect(refused.output.contains("\(directory.database) has layout 1, this k2mock reads 2"), "\(refused.output)")
        #expect(refused.output.contains("--reset-data"))
        #expect(readFile(directory.database) == before, "left as it is (\(before.count) bytes)")
        // --reset-data keeps it aside and starts afresh.
        let fresh = try ServerProcess(arguments: Array(arguments.dropFirst(3)) + ["--reset-data"])
        defer { _ = fresh.stop() }
        #expect(try RawHTTPClient(port: fresh.port).request("POST", "/api/v1/pay_recipients", headers: auth, body: recipient).status == 201)
        let aside = ServerProcess.run(binary: "/bin/sh", ["-c", "ls \(directory.path) | grep -c 'k2mock.sqlite.damaged-'"])
        #expect(aside.output.hasPrefix("1"), "\(aside.output)")
    }

    @Test func aDamagedDatabaseIsReportedAndLeftAlone() throws {
        let directory = TemporaryDirectory("damaged")
        defer { directory.remove() }
        let arguments = ["serve", "--port", "0", "--scenario", happyPath, "--data-dir", directory.path]
        // Garbage where the database should be.
        _ = ServerProcess.run(binary: "/bin/mkdir", ["-p", directory.path])
        let garbage = (0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        writeBytes(directory.database, garbage)
        let before = readFile(directory.database)
        let refused = k2mock(arguments)
        #expect(refused.status == 65)
        #expect(refused.output.contains(directory.database))
        #expect(refused.output.contains("damaged"))
        #expect(readFile(directory.database) == before, "never wiped")

        // A real database cut short.
        directory.remove()
        let server = try ServerProcess(arguments: Array(arguments.dropFirst(3)))
        let client = try RawHTTPClient(port: server.port)
        for _ in 0..<200 { _ = try client.request("POST", "/api/v1/pay_recipients", headers: auth, body: recipient) }
        #expect(server.stop() == 0)
        let whole = readFile(directory.database)
        #expect(whole.count > 8192)

        // A page in the middle zeroed: refused, and not written to (not even by opening it).
        var holed = whole
        let page = (whole.count / 2) / 4096 * 4096
        holed.replaceSubrange(page..<min(page + 4096, whole.count), with: [UInt8](repeating: 0, count: min(4096, whole.count - page)))
        writeBytes(directory.database, holed)
        let holedRun = k2mock(arguments)
        #expect(holedRun.status == 65, "\(holedRun.output)")
        #expect(readFile(directory.database) == holed, "a damaged database is left as it is")

        // Cut inside its last page: the rows there read back as NULLs or garbage, never a crash.
        for cut in [1000, 2000, 3500] {
            writeBytes(directory.database, Array(whole[..<(whole.count - cut)]))
            let lastPage = k2mock(arguments)
            #expect(lastPage.status == 65, "cut \(cut) bytes short: \(lastPage.output)")
        }

        _ = ServerProcess.run(binary: "/usr/bin/truncate", ["-s", "6000", directory.database])
        let cutBytes = readFile(directory.database)
        let cut = k2mock(arguments)
        #expect(cut.status == 65, "\(cut.output)")
        #expect(cut.output.contains(directory.database))
        #expect(readFile(directory.database) == cutBytes)

        // Cut to nothing: SQLite would start a new database in it; k2mock refuses it too.
        _ = ServerProcess.run(binary: "/usr/bin/truncate", ["-s", "0", directory.database])
        let empty = k2mock(arguments)
        #expect(empty.status == 65, "\(empty.output)")
        #expect(empty.output.contains("empty"))

        // --reset-data keeps the damaged file aside and starts again.
        let fresh = try ServerProcess(arguments: Array(arguments.dropFirst(3)) + ["--reset-data"])
        #expect(fresh.stop() == 0)
        let listing = ServerProcess.run(binary: "/bin/ls", [directory.path])
        #expect(listing.output.contains("k2mock.sqlite.damaged-"))
    }

    /// A real clock runs on while k2mock is down: what fell due meanwhile happens at once on restart.
    @Test func aRealClockCatchesUpOnRestart() throws {
        let receiver = try CallbackReceiver()
        defer { receiver.stop() }
        let directory = TemporaryDirectory("real")
        defer { directory.remove() }
        // 100 sandbox seconds per wall second: the payment's 30 s to Transferred take 0.3 s.
        let arguments = ["--scenario", happyPath, "--clock", "real", "--time-scale", "100", "--data-dir", directory.path]
        let server = try ServerProcess(arguments: arguments)
        let client = try RawHTTPClient(port: server.port)
        let created = try client.request("POST", "/api/v1/payments", headers: auth, body: payment(receiver.url()))
        let target = try path(created, server)
        server.kill()
        #expect(receiver.requests.isEmpty, "killed before the callback fell due")
        usleep(600_000)
        let restarted = try ServerProcess(arguments: arguments)
        defer { restarted.stop() }
        let deadline = monotonicSeconds() + 20
        while receiver.requests.isEmpty, monotonicSeconds() < deadline { usleep(5000) }
        #expect(receiver.requests.count == 1)
        let got = try RawHTTPClient(port: restarted.port).request("GET", target, headers: auth)
        #expect(got.text.contains(#""status":"Transferred""#))
    }

    /// An attempt in flight when k2mock is killed is journalled as interrupted and made again.
    @Test func anAttemptInFlightAtTheKillIsMadeAgain() throws {
        let stuck = try MisbehavingReceiver(.neverAnswer)
        defer { stuck.stop() }
        let directory = TemporaryDirectory("inflight")
        defer { directory.remove() }
        let arguments = ["--scenario", happyPath, "--clock", "real", "--time-scale", "1000", "--data-dir", directory.path]
        let server = try ServerProcess(arguments: arguments)
        let client = try RawHTTPClient(port: server.port)
        #expect(try client.request("POST", "/api/v1/payments", headers: auth, body: payment(stuck.url())).status == 201)
        var deadline = monotonicSeconds() + 20
        while stuck.accepted < 1, monotonicSeconds() < deadline { usleep(2000) }
        #expect(stuck.accepted == 1)
        server.kill()
        let restarted = try ServerProcess(arguments: arguments)
        deadline = monotonicSeconds() + 20
        while stuck.accepted < 2, monotonicSeconds() < deadline { usleep(2000) }
        #expect(stuck.accepted == 2, "made again after the restart")
        let journal = try RawHTTPClient(port: restarted.port).request("GET", "/__admin/callbacks").text
        #expect(journal.contains(#""attempt":1"#))
        #expect(journal.contains(#""outcome":"interrupted""#))
        #expect(journal.contains("k2mock stopped before the receiver answered"))
        #expect(restarted.stop() == 0)
    }

    /// SIGTERM with callbacks hanging: what the stop abandoned stays pending, on disk, without
    /// an attempt; the next start makes them. It is not taken for a crash's interruption.
    @Test func attemptsAbandonedAtAStopStayPendingWithoutAnAttempt() throws {
        let stuck = try MisbehavingReceiver(.neverAnswer)
        defer { stuck.stop() }
        let directory = TemporaryDirectory("abandoned")
        defer { directory.remove() }
        let arguments = ["--scenario", happyPath, "--clock", "real", "--time-scale", "1000", "--data-dir", directory.path]
        let server = try ServerProcess(arguments: arguments)
        let client = try RawHTTPClient(port: server.port)
        for _ in 0..<10 {
            #expect(try client.request("POST", "/api/v1/payments", headers: auth, body: payment(stuck.url())).status == 201)
        }
        var deadline = monotonicSeconds() + 20
        while stuck.accepted < 10, monotonicSeconds() < deadline { usleep(2000) }
        #expect(stuck.accepted == 10)
        #expect(server.stop() == 0)

        let restarted = try ServerProcess(arguments: arguments)
        let journal = try RawHTTPClient(port: restarted.port).request("GET", "/__admin/callbacks").text
        #expect(!journal.contains(#""outcome":"interrupted""#), "\(journal)")
        deadline = monotonicSeconds() + 20
        while stuck.accepted < 20, monotonicSeconds() < deadline { usleep(2000) }
        #expect(stuck.accepted == 20, "each made again after the restart")
        #expect(restarted.stop() == 0)
    }

    /// The built-in default scenario and scenarios/default.yaml are the same files, so the same
    /// scenario to a data directory; an empty --data-dir (an unset shell variable) is refused.
    @Test func theBuiltInDefaultIsScenariosDefaultYamlAndAnEmptyDirectoryIsRefused() throws {
        let directory = TemporaryDirectory("default")
        defer { directory.remove() }
        let builtIn = try ServerProcess(arguments: ["--data-dir", directory.path, "--log-format", "none"])
        #expect(builtIn.stop() == 0)
        let fromFile = try ServerProcess(arguments: ["--data-dir", directory.path, "--log-format", "none",
                                                    "--scenario", root + "/scenarios/default.yaml"])
        #expect(fromFile.stop() == 0)

        let empty = k2mock(["serve", "--port", "0", "--data-dir", ""])
        #expect(empty.status == 64, "\(empty.output)")
        #expect(empty.output.contains("--data-dir needs a directory"))
    }
}
