@testable import K2Sandbox
import OrderedJSON
import Testing

@Suite struct TokenStoreTests {
    private let t0 = Timestamp(milliseconds: 0)

    @Test func checksByDigestAndSaysWhyATokenIsRefused() {
        var store = TokenStore()
        let token = AccessToken(value: "abc", clientID: "c", createdAt: t0, expiresAt: t0 + .seconds(10))
        store.add(token)
        #expect(store.check(TokenDigest("abc"), at: t0 + .seconds(9)) == .valid(token))
        #expect(store.check(TokenDigest("abc"), at: t0 + .seconds(10)) == .expired(token))
        #expect(store.check(TokenDigest("abd"), at: t0) == .unknown)
        #expect(store.check(TokenDigest(""), at: t0) == .missing)
        #expect(store.check(nil, at: t0) == .missing)
        let revoked = store.revoke("abc", at: t0), revokedUnknown = store.revoke("nope", at: t0)
        #expect(revoked)
        #expect(!revokedUnknown)
        guard case .revoked? = Optional(store.check(TokenDigest("abc"), at: t0)) else {
            Issue.record("a revoked token must say so")
            return
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
