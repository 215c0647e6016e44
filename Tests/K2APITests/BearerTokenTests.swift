import K2MockServer
import MicroHTTP
import OrderedJSON
import Testing

@Suite struct BearerTokenTests {
    @Test(arguments: [
        ([] as [(String, String)], "The access token is missing"),
        ([("Authorization", "Bearer wrong")], "The access token is invalid"),
        ([("Authorization", "Bearer null")], "The access token is invalid"),
        ([("Authorization", "Basic \(docsToken)")], "The access token is missing"),
        ([("Authorization", "")], "The access token is missing"),
        ([("Authorization", "  ")], "The access token is missing"),
    ])
    func refusedTokensGet401(_ headers: [(String, String)], _ reason: String) async {
        let response = await makeServer().send("GET", docsPaymentPath, headers: headers)
        #expect(response.status == 401)
        #expect(response.json?["error_message"] == .string(reason))
        #expect(response.headers["WWW-Authenticate"]?.hasPrefix("Bearer realm=\"Doorkeeper\"") == true)
    }

    @Test func issuedTokenWorksUntilItExpiresOnTheSandboxClock() async throws {
        let server = makeServer()
        let token = try await server.issueToken()
        #expect(await server.send("GET", docsPaymentPath, headers: [("Authorization", "Bearer \(token)")]).status == 200)
        #expect(await server.send("POST", "/__admin/clock/advance", body: #"{"seconds": 3600}"#).status == 200)
        let expired = await server.send("GET", docsPaymentPath, headers: [("Authorization", "Bearer \(token)")])
        #expect(expired.status == 401)
        #expect(expired.json?["error_message"] == "The access token expired")
        // The docs' token never expires.
        #expect(await server.send("GET", docsPaymentPath, headers: [("Authorization", "Bearer \(docsToken)")]).status == 200)
    }

    @Test func revokedTokenIsRefused() async throws {
        let server = makeServer()
        let token = try await server.issueToken()
        let revoke = await server.send("POST", "/oauth/revoke", headers: [("Content-Type", "application/json")],
                                       body: #"{"client_id":"sandbox_client_id","client_secret":"sandbox_client_secret","token":"\#(token)"}"#)
        #expect(revoke.status == 200)
        #expect(revoke.text == "{}")
        let refused = await server.send("GET", docsPaymentPath, headers: [("Authorization", "Bearer \(token)")])
        #expect(refused.status == 401)
        #expect(refused.json?["error_message"] == "The access token was revoked")
    }

    @Test func schemeIsCaseInsensitive() async {
        let response = await makeServer().send("GET", docsPaymentPath, headers: [("authorization", "bearer \(docsToken)")])
        #expect(response.status == 200)
    }
}
