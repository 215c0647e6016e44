import K2Sandbox
import OrderedJSON
import Testing

@Suite struct MoneyTests {
    @Test func readsNumbersAndStrings() {
        #expect(Money(JSON.int(20000))?.cents == 2_000_000)
        #expect(Money(.string("20000"))?.cents == 2_000_000)
        #expect(Money(.string("20000.0"))?.cents == 2_000_000)
        #expect(Money(.number("100.5"))?.cents == 10_050)
        #expect(Money(.string("100.50"))?.cents == 10_050)
        #expect(Money(.string("100.500"))?.cents == 10_050)
    }

    @Test(arguments: [JSON.string("python_sdk_value"), .string("-5"), .number("-5"), .number("1e3"), .string("1.234"), .null, .bool(true), .string("")])
    func refusesWhatIsNotAnAmount(_ json: JSON) {
        #expect(Money(json) == nil)
    }

    @Test func writesK2sForms() {
        #expect(Money(cents: 2_000_000).decimalString == "20000.0")
        #expect(Money(cents: 10_050).decimalString == "100.5")
        #expect(Money(cents: 10_025).decimalString == "100.25")
        #expect(Money(cents: 10_005).decimalString == "100.05")
        #expect(Money(cents: 2_000_000).valueJSON == .number("20000"))
        #expect(Money(cents: 10_050).valueJSON == .string("100.5"))
    }
}
