@testable import K2Sandbox
import Testing

@Suite struct TranscriptLogTests {
    private func exchange(_ index: Int, bodyBytes: Int = 2) -> Exchange {
        Exchange(
            method: "GET", path: "/api/v1/payments/\(index % 3)", query: [], requestHeaders: [("Authorization", "Bearer t")],
            requestBody: [], status: 200, responseHeaders: [], responseBody: Array(repeating: UInt8(index % 251), count: bodyBytes))
    }

    /// Exchanges, delivery attempts and advances interleaved past the ring's capacity: the
    /// latest 10,000 come back in order, each exchange with its own parts, whichever slot an
    /// attempt or an advance overwrote.
    @Test func keepsTheLatestEntriesInOrderWhateverTheyAre() {
        var log = TranscriptLog()
        let total = TranscriptLog.capacity + 2_503
        for index in 0..<total {
            switch index % 5 {
            case 3: log.append(.attempt(deliveryID: index, attempt: 1))
            case 4: log.append(.clock(from: Timestamp(milliseconds: Int64(index)), to: Timestamp(milliseconds: Int64(index + 1))))
            default: log.append(.exchange(at: Timestamp(milliseconds: Int64(index)), request: index, exchange(index)))
            }
        }
        #expect(log.dropped == total - TranscriptLog.capacity)
        let entries = log.entries
        #expect(entries.count == TranscriptLog.capacity)
        for (offset, entry) in entries.enumerated() {
            let index = total - TranscriptLog.capacity + offset
            switch entry {
            case .exchange(let at, let request, let kept):
                #expect(index % 5 < 3 && request == index && at.milliseconds == Int64(index))
                #expect(kept.path == "/api/v1/payments/\(index % 3)" && kept.responseBody == [UInt8(index % 251), UInt8(index % 251)])
            case .attempt(let deliveryID, _):
                #expect(index % 5 == 3 && deliveryID == index)
            case .clock(let from, _):
                #expect(index % 5 == 4 && from.milliseconds == Int64(index))
            }
        }
    }

    /// Past 32 MiB of bodies the oldest entries go, however few there are.
    @Test func dropsTheOldestWhenBodiesPassTheBudget() {
        var log = TranscriptLog()
        let body = Exchange.bodyLimit
        for index in 0..<600 { log.append(.exchange(at: Timestamp(milliseconds: 0), request: index, exchange(index, bodyBytes: body))) }
        let kept = log.entries
        #expect(kept.count == TranscriptLog.byteBudget / body)
        #expect(log.dropped == 600 - kept.count)
        if case .exchange(_, let request, _)? = kept.last { #expect(request == 599) } else { Issue.record("no exchange last") }
    }

    /// A client polling one payment hands the same parts again and again, and the entries
    /// share one kept exchange; whatever differs in one part (a header's value, the status, a
    /// fault, the query, a body past the limit by its length) makes an exchange of its own,
    /// and each entry reads back as it was sent.
    @Test func equalExchangesShareAndEachReadsBackAsSent() {
        struct Sent {
            var query = [(name: "limit", value: "2")]
            var headers = [(name: "Authorization", value: "Bearer t")]
            var body = [UInt8](repeating: 7, count: Exchange.bodyLimit + 10)
            var status = 200
            var fault: FaultNote?
        }
        let base = Sent()
        var header = base
        header.headers = [("Authorization", "Bearer u")]
        var status = base
        status.status = 404
        var fault = base
        fault.fault = .delayed("scenario.yaml:3")
        var longer = base
        longer.body.append(7)
        var query = base
        query.query = [("limit", "3")]
        let sent = [base, base, header, base, status, fault, base, longer, query, base, base]
        var log = TranscriptLog()
        for (index, one) in sent.enumerated() {
            _ = log.append(
                at: Timestamp(milliseconds: Int64(index)), request: index, method: "GET", path: "/api/v1/payments/1",
                query: one.query, requestHeaders: one.headers, requestBody: one.body, status: one.status,
                responseHeaders: [("Content-Type", "application/json")], responseBody: [1, 2, 3], fault: one.fault)
        }
        let entries = log.entries
        #expect(entries.count == sent.count)
        for (index, entry) in entries.enumerated() {
            guard case .exchange(_, let request, let kept) = entry else {
                Issue.record("entry \(index) is not an exchange")
                continue
            }
            let one = sent[index]
            #expect(request == index)
            #expect(kept.requestHeaders.map { "\($0.name): \($0.value)" } == one.headers.map { "\($0.name): \($0.value)" })
            #expect(kept.query.map { "\($0.name)=\($0.value)" } == one.query.map { "\($0.name)=\($0.value)" })
            #expect(kept.status == one.status && kept.fault == one.fault)
            #expect(kept.requestBodyLength == one.body.count && kept.requestBody == Array(one.body.prefix(Exchange.bodyLimit)))
            #expect(kept.responseBody == [1, 2, 3] && kept.path == "/api/v1/payments/1" && kept.method == "GET")
        }
    }
}
