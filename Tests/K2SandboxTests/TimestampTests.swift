@testable import K2Sandbox
import Testing

@Suite struct TimestampTests {
    @Test func formatsInK2sStyleWithNairobiOffset() {
        let time = Timestamp(iso8601: "2021-01-28T10:00:17.827+03:00")
        #expect(time?.iso8601() == "2021-01-28T10:00:17.827+03:00")
        #expect(time?.iso8601(fractional: false) == "2021-01-28T10:00:17+03:00")
        #expect(Timestamp(iso8601: "2021-01-28T07:00:17.827Z") == time)
    }

    @Test func parsesOffsetsAndMissingFractions() {
        #expect(Timestamp(iso8601: "1970-01-01T00:00:00Z")?.milliseconds == 0)
        #expect(Timestamp(iso8601: "1970-01-01T03:00:00+03:00")?.milliseconds == 0)
        #expect(Timestamp(iso8601: "1970-01-01T00:00:00.5Z")?.milliseconds == 500)
        #expect(Timestamp(iso8601: "1970-01-01T00:00:00.123456Z")?.milliseconds == 123)
        #expect(Timestamp(iso8601: "2024-02-29T12:00:00-05:30")?.iso8601() == "2024-02-29T20:30:00.000+03:00")
    }

    @Test(arguments: ["", "2021-13-01T00:00:00Z", "2021-01-01", "2021-01-01T00:00:00+3", "x021-01-01T00:00:00Z", "2021-01-01T00:00:00.Z"])
    func rejectsMalformedTimes(_ text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test func parsesDurations() {
        #expect(TimeSpan(parsing: "500ms")?.milliseconds == 500)
        #expect(TimeSpan(parsing: "5s")?.milliseconds == 5000)
        #expect(TimeSpan(parsing: "2m")?.milliseconds == 120_000)
        #expect(TimeSpan(parsing: "1h")?.milliseconds == 3_600_000)
        #expect(TimeSpan(parsing: "1d")?.milliseconds == 86_400_000)
        for bad in ["", "s", "5", "-5s", "5 s", "1.5s", "5x", "99999999999999999999d"] {
            #expect(TimeSpan(parsing: bad) == nil, "\(bad)")
        }
    }
}

@Suite struct TimestampBytesTests {
    @Test(arguments: [0, 1_611_817_217_827, -86_400_001, 4_102_444_799_999])
    func bytesMatchTheString(_ milliseconds: Int64) {
        var bytes: [UInt8] = []
        Timestamp(milliseconds: milliseconds).appendISO8601(to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == Timestamp(milliseconds: milliseconds).iso8601())
    }
}
