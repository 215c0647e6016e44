@testable import K2Sandbox
import OrderedJSON
import Testing

@Suite struct TokenStoreTests {
    private let t0 = Timestamp(milliseconds: 0)

    private func check(_ store: TokenStore, _ value: String, at time: Timestamp) -> TokenCheck {
        value.withUTF8Bytes { store.check(TokenDigest($0), at: time) }
    }

    @Test func checksByDigestAndSaysWhyATokenIsRefused() {
        var store = TokenStore()
        let token = AccessToken(value: "abc", clientID: "c", createdAt: t0, expiresAt: t0 + .seconds(10))
        store.add(token)
        #expect(check(store, "abc", at: t0 + .seconds(9)) == .valid(token))
        #expect(check(store, "abc", at: t0 + .seconds(10)) == .expired(token))
        #expect(check(store, "abd", at: t0) == .unknown)
        #expect(check(store, "", at: t0) == .missing)
        #expect(store.check(nil, at: t0) == .missing)
        let revoked = store.revoke("abc", at: t0), revokedUnknown = store.revoke("nope", at: t0)
        #expect(revoked)
        #expect(!revokedUnknown)
        guard case .revoked? = Optional(check(store, "abc", at: t0)) else {
            Issue.record("a revoked token must say so")
            return
        }
    }

    /// Many tokens, some of them prefixes of others or one byte apart: each is found as
    /// itself, a token added again replaces its first, and what was never added is unknown.
    @Test func everyTokenIsFoundAsItselfAndOnlyItself() {
        var store = TokenStore()
        let values = (0..<2_000).map { "tok\($0)" } + ["t", "to", "tok", "tok1 "]
        for value in values { store.add(AccessToken(value: value, clientID: "c-" + value, createdAt: t0, expiresAt: nil)) }
        store.add(AccessToken(value: "tok7", clientID: "again", createdAt: t0, expiresAt: nil))
        for value in values {
            guard case .valid(let token) = check(store, value, at: t0) else {
                Issue.record("\(value) not found")
                continue
            }
            #expect(token.value == value && token.clientID == (value == "tok7" ? "again" : "c-" + value))
        }
        #expect(store.values.count == values.count)
        for unknown in ["tok2000", "tok", "ok1", "TOK1", "tok1  "] where !values.contains(unknown) {
            #expect(check(store, unknown, at: t0) == .unknown, "\(unknown)")
        }
    }
}

@Suite struct TransactionLogTests {
    @Test func listsReceivedTransactionsInTheWindowAndTill() {
        var log = TransactionLog()
        for (second, till) in [(1, "111"), (2, "222"), (3, "111")] {
            log.append(at: Timestamp(seconds: Int64(second)), resource: JSONObject([("till_number", .string(till)), ("n", .int(second))]))
        }
        let all = log.received(from: Timestamp(seconds: 1), to: Timestamp(seconds: 3), till: nil)
        #expect(all.map { object -> JSON? in object["n"] } == [.int(1), .int(2), .int(3)])
        let till = log.received(from: Timestamp(seconds: 2), to: Timestamp(seconds: 3), till: "111")
        #expect(till.map { object -> JSON? in object["n"] } == [.int(3)])
    }
}
