import ArgumentParser
import K2Sandbox
import OrderedJSON

#if canImport(Glibc)
import Glibc
#endif

/// `k2mock verify`: ask a running server whether its scenario's `expect` entries hold. Exits 0
/// when all hold, 1 when one fails, 2 when the server cannot be reached, is not a k2mock or has
/// no such `--sandbox`, 3
/// when it refuses the admin token (missing or wrong).
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a running server's scenario expectations; exit 0 only if all hold.",
        discussion: "Exit status: 0 all hold, 1 one fails, 2 the server cannot be reached (or has no such --sandbox), 3 the admin token is missing or wrong, 64 a usage error (a bad --url).")

    @Option(help: "The running k2mock's origin.")
    var url = "http://127.0.0.1:8080"

    @OptionGroup var admin: AdminTokenOption

    @Option(help: "Also write the results as JUnit XML to this file, for CI systems to show.")
    var junit: String?

    @Option(help: "Check this sandbox's expectations (POST /__admin/sandboxes) instead of the server's own.")
    var sandbox: String?


    /// Usage errors, checked before anything runs so that they show `verify`'s usage (exit 64).
    func validate() throws {
        guard parseOrigin(url) != nil else { throw ValidationError("--url must look like http://HOST:PORT, not \"\(url)\"") }
    }

    func run() throws {
        if let sandbox, !SandboxSpec.isValidName(sandbox) {
            printError("k2mock verify: --sandbox must be a sandbox's id (1 to 64 letters, digits, '_' or '-'), not \"\(sandbox)\"")
            throw ExitCode(2)
        }
        guard let (host, port) = parseOrigin(url) else {
            throw ValidationError("--url must look like http://HOST:PORT")
        }
        let body: [UInt8]
        do {
            let scope = sandbox.map { "/__admin/sandboxes/\($0)" } ?? "/__admin"
            body = try httpGet(host: host, port: port, path: scope + "/expectations", adminToken: admin.adminToken)
        } catch let missing as NotFound where sandbox != nil {
            let reason = (try? JSON.parse(missing.body))?["error_message"]?.stringValue ?? ""
            printError("k2mock verify: \(url) has no sandbox \(sandbox ?? ""): \(reason)")
            throw ExitCode(2)
        } catch let refused as AdminTokenRefused {
            printError("k2mock verify: \(url) refused the admin token (\(admin.adminToken == nil ? "none was given" : "it is wrong")): "
                + "pass the server's --admin-token with --admin-token (\(refused.statusLine))")
            throw ExitCode(3)
        } catch {
            printError("k2mock verify: cannot reach \(url): \(error)")
            throw ExitCode(2)
        }
        guard let answer = try? JSON.parse(body), let results = answer["results"]?.arrayValue else {
            printError("k2mock verify: \(url) did not answer like a k2mock")
            throw ExitCode(2)
        }
        for result in results {
            let passed = result["passed"]?.boolValue == true
            printLine("\(passed ? "passed" : "failed"): \(sandbox.map { "[\($0)] " } ?? "")\(result["description"]?.stringValue ?? "")")
        }
        if results.isEmpty { printLine("no expectations in the scenario") }
        if let junit {
            guard writeFile(junit, junitXML(results, url: url, sandbox: sandbox)) else {
                printError("k2mock verify: cannot write \(junit)")
                throw ExitCode(2)
            }
        }
        if answer["passed"]?.boolValue != true { throw ExitCode(1) }
    }
}

private func parseOrigin(_ url: String) -> (String, UInt16)? {
    guard url.hasPrefix("http://") else { return nil }
    let rest = url.dropFirst(7).split(separator: "/", maxSplits: 1).first ?? ""
    let parts = rest.split(separator: ":")
    guard parts.count == 2, let port = UInt16(parts[1]) else { return nil }
    let host = parts[0] == "localhost" ? "127.0.0.1" : String(parts[0])
    return (host, port)
}

private struct HTTPGetError: Error, CustomStringConvertible {
    var description: String
}

/// The server answered 401: the admin token is missing or wrong.
private struct AdminTokenRefused: Error {
    var statusLine: String
}

/// The expectation results as JUnit XML: one test case per `expect` entry.
/// `sandbox` names the sandbox checked (in the suite's name), nil for the server's own.
func junitXML(_ results: [JSON], url: String, sandbox: String? = nil) -> String {
    let failures = results.filter { $0["passed"]?.boolValue != true }.count
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    xml += "<testsuites tests=\"\(results.count)\" failures=\"\(failures)\">\n"
    let suite = "k2mock expectations" + (sandbox.map { " (sandbox \($0))" } ?? "")
    xml += "  <testsuite name=\"\(xmlEscaped(suite))\" tests=\"\(results.count)\" failures=\"\(failures)\" hostname=\"\(xmlEscaped(url))\">\n"
    for result in results {
        let description = result["description"]?.stringValue ?? ""
        xml += "    <testcase classname=\"k2mock.expect\" name=\"\(xmlEscaped(description))\""
        if result["passed"]?.boolValue == true {
            xml += "/>\n"
        } else {
            let expected = result["expected"]?.numberLexeme ?? "?", actual = result["actual"]?.numberLexeme ?? "?"
            xml += ">\n      <failure message=\"expected \(expected), got \(actual)\">\(xmlEscaped(description))</failure>\n    </testcase>\n"
        }
    }
    return xml + "  </testsuite>\n</testsuites>\n"
}

private func xmlEscaped(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default: out.append(character)
        }
    }
    return out
}

private func writeFile(_ path: String, _ text: String) -> Bool {
    guard let file = fopen(path, "w") else { return false }
    defer { fclose(file) }
    return fputs(text, file) >= 0
}

/// A one-shot HTTP/1.0 GET over IPv4: all `verify` needs, without a client library.
private func httpGet(host: String, port: UInt16, path: String, adminToken: String?) throws -> [UInt8] {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HTTPGetError(description: "socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw HTTPGetError(description: "bad host \(host)") }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw HTTPGetError(description: "connection refused") }
    let authorization = adminToken.map { "Authorization: Bearer \($0)\r\n" } ?? ""
    let request = Array("GET \(path) HTTP/1.0\r\nHost: \(host):\(port)\r\n\(authorization)\r\n".utf8)
    _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    var response: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = recv(fd, &chunk, chunk.count, 0)
        if count <= 0 { break }
        response.append(contentsOf: chunk[..<count])
    }
    guard let split = response.firstRange(of: Array("\r\n\r\n".utf8)) else {
        throw HTTPGetError(description: "no HTTP response")
    }
    let head = String(decoding: response[..<split.lowerBound], as: UTF8.self)
    let statusLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
    if head.hasPrefix("HTTP/1.") && head.dropFirst(9).hasPrefix("401") { throw AdminTokenRefused(statusLine: statusLine) }
    if head.hasPrefix("HTTP/1.") && head.dropFirst(9).hasPrefix("404") { throw NotFound(body: Array(response[split.upperBound...])) }
    guard head.hasPrefix("HTTP/1.") && head.dropFirst(9).hasPrefix("200") else {
        throw HTTPGetError(description: head.split(separator: "\r\n").first.map(String.init) ?? "bad response")
    }
    return Array(response[split.upperBound...])
}

/// The server answered 404 (with K2's error body).
private struct NotFound: Error {
    var body: [UInt8]
}
