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
            default: _ = log.append(exchange(index), at: Timestamp(milliseconds: Int64(index)), request: index)
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
        for index in 0..<600 { _ = log.append(exchange(index, bodyBytes: body), at: Timestamp(milliseconds: 0), request: index) }
        let kept = log.entries
        #expect(kept.count == TranscriptLog.byteBudget / body)
        #expect(log.dropped == 600 - kept.count)
        if case .exchange(_, let request, _)? = kept.last { #expect(request == 599) } else { Issue.record("no exchange last") }
    }
}
