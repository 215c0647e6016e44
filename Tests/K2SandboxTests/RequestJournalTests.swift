@testable import K2Sandbox
import Testing

@Suite struct JournalTests {
    @Test func requestJournalKeepsTheLatestAndCountsByMethodAndPattern() {
        var journal = RequestJournal()
        for index in 0..<(RequestJournal.capacity + 5) {
            journal.append(RequestRecord(at: Timestamp(milliseconds: Int64(index)), method: index % 2 == 0 ? "GET" : "POST",
                                         path: "/api/v1/payments/\(index)", status: 200))
        }
        #expect(journal.records.count == RequestJournal.capacity)
        #expect(journal.records.first?.path == "/api/v1/payments/5")
        #expect(journal.records.first?.id == 6)
        #expect(journal.records.last?.path == "/api/v1/payments/\(RequestJournal.capacity + 4)")
        #expect(journal.records.last?.id == RequestJournal.capacity + 5)
        #expect(journal.count(method: "post", path: "/api/v1/payments/*") == journal.records.filter { $0.method == "POST" }.count)
        #expect(journal.count(method: nil, path: "/api/v2/*") == 0)
    }

    @Test func faultBookCountsEveryMatchAndAnswersOnlyTheNth() {
        var faults = FaultBook([Fault(method: "POST", path: "/api/v1/payments", nth: 2, status: 503),
                                Fault(path: "/api/*", latency: .seconds(1))])
        #expect(faults.fault(method: "POST", path: "/api/v1/payments")?.latency == .seconds(1))
        #expect(faults.fault(method: "POST", path: "/api/v1/payments")?.status == 503)
        #expect(faults.fault(method: "POST", path: "/api/v1/payments")?.status == nil)
        #expect(faults.fault(method: "GET", path: "/oauth/token") == nil)
    }
}
