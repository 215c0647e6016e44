import K2MockServer
import MicroHTTP
import OrderedJSON
import Testing

private let form = "grant_type=client_credentials&client_id=sandbox_client_id&client_secret=sandbox_client_secret"

@Suite struct OAuthRoutesTests {
    @Test func issuesTokensFromFormBodies() async throws {
        let response = await makeServer().send("POST", "/oauth/token",
                                                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: form)
        #expect(response.status == 200)
        let json = try #require(response.json)
        #expect(json.objectValue?.keys == ["access_token", "token_type", "expires_in", "created_at"])
        #expect(json["token_type"] == "Bearer")
        #expect(json["expires_in"] == 3600)
        // created_at is the sandbox clock's epoch seconds, an integer.
        #expect(json["created_at"] == .number("1611817200"))
        #expect(response.headers["Cache-Control"] == "no-store")
    }

    @Test func issuesTokensFromJSONBodiesQueryStringsAndBasicAuth() async {
        let server = makeServer()
        let json = await server.send("POST", "/oauth/token", headers: [("Content-Type", "application/json")],
            body: #"{"grant_type":"client_credentials","client_id":"sandbox_client_id","client_secret":"sandbox_client_secret"}"#)
        #expect(json.status == 200)
        let query = await server.send("POST", "/oauth/token", query: [
            ("grant_type", "client_credentials"), ("client_id", "sandbox_client_id"), ("client_secret", "sandbox_client_secret")])
        #expect(query.status == 200)
        // base64("sandbox_client_id:sandbox_client_secret")
        let basic = await server.send("POST", "/oauth/token", headers: [
            ("Authorization", "Basic c2FuZGJveF9jbGllbnRfaWQ6c2FuZGJveF9jbGllbnRfc2VjcmV0"),
            ("Content-Type", "application/x-www-form-urlencoded")], body: "grant_type=client_credentials")
        #expect(basic.status == 200)
    }

    @Test func wrongCredentialsAre401InvalidClient() async {
        let response = await makeServer().send("POST", "/oauth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: "grant_type=client_credentials&client_id=sandbox_client_id&client_secret=nope")
        #expect(response.status == 401)
        #expect(response.json?["error"] == "invalid_client")
        #expect(response.json?["error_description"]?.stringValue?.isEmpty == false)
    }

    @Test func grantTypeIsRequiredAndMustBeClientCredentials() async {
        let server = makeServer()
        let missing = await server.send("POST", "/oauth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                        body: "client_id=sandbox_client_id&client_secret=sandbox_client_secret")
        #expect(missing.status == 400)
        #expect(missing.json?["error"] == "invalid_request")
        let password = await server.send("POST", "/oauth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                         body: "grant_type=password&client_id=sandbox_client_id&client_secret=sandbox_client_secret")
        #expect(password.status == 400)
        #expect(password.json?["error"] == "unsupported_grant_type")
    }

    @Test func malformedJSONAndUnsupportedContentTypesAreRefused() async {
        let server = makeServer()
        let malformed = await server.send("POST", "/oauth/token", headers: [("Content-Type", "application/json")], body: #"{"grant_type":"#)
        #expect(malformed.status == 400)
        #expect(malformed.json?["error_code"] == 400)
        #expect(malformed.json?["error_message"]?.stringValue?.hasPrefix("Malformed JSON") == true)
        let array = await server.send("POST", "/oauth/token", headers: [("Content-Type", "application/json")], body: "[1]")
        #expect(array.status == 400)
        let xml = await server.send("POST", "/oauth/token", headers: [("Content-Type", "text/xml")], body: "<a/>")
        #expect(xml.status == 415)
        #expect(xml.json?["error_code"] == 415)
        let badUTF8 = await server.send("POST", "/oauth/token", headers: [("Content-Type", "application/json")], body: "\"\u{FFFD}")
        #expect(badUTF8.status == 400)
    }

    @Test func introspectDescribesActiveAndInactiveTokens() async throws {
        let server = makeServer()
        let token = try await server.issueToken()
        let active = await server.send("POST", "/oauth/introspect", headers: [("Content-Type", "application/json"), ("Authorization", "Bearer null")],
            body: #"{"client_id":"sandbox_client_id","client_secret":"sandbox_client_secret","token":"\#(token)"}"#)
        #expect(active.status == 200)
        #expect(active.json?.objectValue?.keys == ["active", "scope", "client_id", "token_type", "exp", "iat"])
        #expect(active.json?["iat"] == "2021-01-28T10:00:00+03:00")
        #expect(active.json?["exp"] == "2021-01-28T11:00:00+03:00")
        let inactive = await server.send("POST", "/oauth/introspect", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                         body: "token=unknown")
        #expect(inactive.text == #"{"active":false}"#)
    }

    @Test func tokenInfoReportsRemainingLifetime() async throws {
        let server = makeServer()
        let token = try await server.issueToken()
        _ = await server.send("POST", "/__admin/clock/advance", body: #"{"seconds": 14}"#)
        let info = await server.send("GET", "/oauth/token/info", headers: [("Authorization", "Bearer \(token)")])
        #expect(info.status == 200)
        #expect(info.text == #"{"resource_owner_id":null,"scope":[],"expires_in":3586,"application":{"uid":"sandbox_client_id"},"created_at":1611817200}"#)
        let refused = await server.send("GET", "/oauth/token/info", headers: [("Authorization", "Bearer nope")])
        #expect(refused.status == 401)
        #expect(refused.json?["error"] == "invalid_token")
    }

    /// PHP's `TokenData` reads `expires_in` whatever the token: the keys never depend on where
    /// the token came from (k2-api.md §3.1, §3.3, §3.4).
    @Test func oauthBodiesHaveTheSameKeysForATokenThatNeverExpires() async throws {
        let server = makeServer()
        let issued = try await server.issueToken()
        let auth = { (token: String) in [("Authorization", "Bearer \(token)")] }
        let forIssued = await server.send("GET", "/oauth/token/info", headers: auth(issued)).json?.objectValue?.keys
        let docs = await server.send("GET", "/oauth/token/info", headers: auth(docsToken))
        #expect(docs.text == #"{"resource_owner_id":null,"scope":[],"expires_in":null,"application":{"uid":"sandbox_client_id"},"created_at":1611817200}"#)
        #expect(docs.json?.objectValue?.keys == forIssued)
        let form = [("Content-Type", "application/x-www-form-urlencoded")]
        let introspectIssued = await server.send("POST", "/oauth/introspect", headers: form, body: "token=\(issued)").json
        let introspectDocs = await server.send("POST", "/oauth/introspect", headers: form, body: "token=\(docsToken)").json
        #expect(introspectDocs?.objectValue?.keys == introspectIssued?.objectValue?.keys)
        #expect(introspectDocs?["exp"] == .null)
    }

    @Test func revokeWithWrongClientCredentialsIsRefusedAndKeepsTheToken() async throws {
        let server = makeServer()
        let token = try await server.issueToken()
        let refused = await server.send("POST", "/oauth/revoke", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                        body: "client_id=sandbox_client_id&client_secret=bad&token=\(token)")
        #expect(refused.status == 401)
        #expect(await server.send("GET", docsPaymentPath, headers: [("Authorization", "Bearer \(token)")]).status == 200)
    }
}
