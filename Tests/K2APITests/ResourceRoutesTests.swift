import K2MockServer
import MicroHTTP
import OrderedJSON
import Testing

@Suite struct ResourceRoutesTests {
    @Test func servesTheDocsPaymentByteForByteWithSelfOnThisOrigin() async {
        let response = await makeServer().send("GET", docsPaymentPath, headers: [("Authorization", "Bearer \(docsToken)")])
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        let expected = docsBody.replacingOccurrences(of: "https://sandbox.kopokopo.com", with: "http://127.0.0.1:8080")
        #expect(response.text == expected)
    }

    @Test func selfFollowsTheHostTheClientUsed() async {
        let response = await makeServer().send("GET", docsPaymentPath, headers: [
            ("Authorization", "Bearer \(docsToken)"), ("Host", "localhost:3000")])
        #expect(response.json?["data"]?["attributes"]?["_links"]?["self"]
            == .string("http://localhost:3000\(docsPaymentPath)"))
    }

    @Test func forgedHostCannotInjectIntoTheBody() async {
        let response = await makeServer().send("GET", docsPaymentPath, headers: [
            ("Authorization", "Bearer \(docsToken)"), ("Host", "evil\",\"x\":\"")])
        #expect(response.json?["data"]?["attributes"]?["_links"]?["self"]?.stringValue?.hasPrefix("http://127.0.0.1:8080/") == true)
    }

    @Test func unknownIDIs404InK2sErrorShape() async {
        let response = await makeServer().send("GET", "/api/v1/payments/00000000-0000-4000-8000-000000000000",
                                                headers: [("Authorization", "Bearer \(docsToken)")])
        #expect(response.status == 404)
        #expect(response.json?["error_code"] == 404)
        #expect(response.json?["error_message"]?.stringValue?.isEmpty == false)
    }

    @Test func idsCompareCaseInsensitivelyAndDoubleSlashesCollapse() async {
        let server = makeServer()
        let upper = await server.send("GET", docsPaymentPath.uppercased().replacingOccurrences(of: "/API/V1/PAYMENTS", with: "//api/v1//payments"),
                                      headers: [("Authorization", "Bearer \(docsToken)")])
        #expect(upper.status == 200)
    }

    @Test func paymentsAreNotServedUnderV2() async {
        let response = await makeServer().send("GET", "/api/v2/payments/c6fda139-2480-4a93-95ed-f72c66b92364",
                                                headers: [("Authorization", "Bearer \(docsToken)")])
        #expect(response.status == 404)
    }

    /// K2 is a Rails app: a method and path it has no route for is `404`, as clients have seen
    /// for `GET /api/v1/incoming_payments`, `POST /api/v1/payments/simulate` and
    /// `POST /oauth/token/info`. Only k2mock's own admin API answers `405`.
    @Test(arguments: [("DELETE", docsPaymentPath), ("GET", "/api/v1/incoming_payments"), ("POST", "/api/v1/payments/simulate"),
                      ("POST", "/oauth/token/info"), ("PUT", "/oauth/token")])
    func aMethodAndPathK2HasNoRouteForIs404(_ method: String, _ path: String) async {
        let response = await makeServer().send(method, path, headers: [("Authorization", "Bearer \(docsToken)")])
        #expect(response.status == 404)
        #expect(response.headers["Allow"] == nil)
        #expect(response.json == ["error_code": 404, "error_message": .string("No route matches [\(method)] \"\(path)\"")])
    }

    @Test func theAdminAPIAnswersAWrongMethodWith405AndAllow() async {
        let response = await makeServer().send("DELETE", "/__admin/clock")
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "GET")
        #expect(response.json?["error_code"] == 405)
    }

    @Test func unknownPathIs404() async {
        let response = await makeServer().send("GET", "/api/v1/nothing_here")
        #expect(response.status == 404)
        #expect(response.json?["error_code"] == 404)
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
