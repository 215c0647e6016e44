/// A point on the sandbox's time line, in milliseconds since the Unix epoch. All of k2mock's
/// time (bodies, token expiry, timelines) is expressed in it, so that a manual clock makes
/// every timestamp reproducible.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    /// Milliseconds of sandbox time since the Unix epoch.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Whole seconds since the Unix epoch.
    public init(seconds: Int64) { self.milliseconds = seconds * 1000 }

    public var seconds: Int64 { milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public static func + (lhs: Timestamp, rhs: TimeSpan) -> Timestamp {
        Timestamp(milliseconds: lhs.milliseconds + rhs.milliseconds)
    }

    /// Nairobi time (UTC+3, no daylight saving), the offset every K2 timestamp carries.
    public static let kenyaOffsetMinutes = 180

    public var description: String { iso8601() }

    /// `2021-01-28T10:00:17.827+03:00`: K2's format, milliseconds included.
    public func iso8601(offsetMinutes: Int = Timestamp.kenyaOffsetMinutes, fractional: Bool = true) -> String {
        let local = milliseconds + Int64(offsetMinutes) * 60_000
        let millis = Int(((local % 1000) + 1000) % 1000)
        let totalSeconds = (local - Int64(millis)) / 1000
        let days = Int(totalSeconds >= 0 ? totalSeconds / 86_400 : (totalSeconds - 86_399) / 86_400)
        let secondOfDay = Int(totalSeconds - Int64(days) * 86_400)
        let (year, month, day) = Timestamp.civil(fromDays: days)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
        text += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fractional { text += "." + pad(millis, 3) }
        let sign = offsetMinutes < 0 ? "-" : "+"
        text += sign + pad(abs(offsetMinutes) / 60, 2) + ":" + pad(abs(offsetMinutes) % 60, 2)
        return text
    }

    /// The same text as `iso8601()` (Nairobi offset, milliseconds), appended as bytes without
    /// building strings: for per-request logging.
    public func appendISO8601(to out: inout [UInt8]) {
        let local = milliseconds + Int64(Timestamp.kenyaOffsetMinutes) * 60_000
        let millis = Int(((local % 1000) + 1000) % 1000)
        let totalSeconds = (local - Int64(millis)) / 1000
        let days = Int(totalSeconds >= 0 ? totalSeconds / 86_400 : (totalSeconds - 86_399) / 86_400)
        let secondOfDay = Int(totalSeconds - Int64(days) * 86_400)
        let (year, month, day) = Timestamp.civil(fromDays: days)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = max(0, value)
            while divisor > 0 {
                out.append(UInt8(48 + (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); out.append(45); digits(month, 2); out.append(45); digits(day, 2); out.append(84)
        digits(secondOfDay / 3600, 2); out.append(58); digits(secondOfDay / 60 % 60, 2); out.append(58)
        digits(secondOfDay % 60, 2); out.append(46); digits(millis, 3)
        out.append(contentsOf: [43, 48, 51, 58, 48, 48])  // +03:00
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`; no offset means UTC+3, as K2 would.
    public init?(iso8601 text: String) {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count else { return nil }
            var value = 0
            for i in range {
                guard (0x30...0x39).contains(b[i]) else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard b.count >= 19, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x20,
              b[13] == 0x3A, b[16] == 0x3A,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var millis = 0
        if index < b.count, b[index] == 0x2E {
            index += 1
            var digits = 0
            while index < b.count, (0x30...0x39).contains(b[index]) {
                if digits < 3 { millis = millis * 10 + Int(b[index] - 0x30) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        var offset = Timestamp.kenyaOffsetMinutes
        if index < b.count {
            if b[index] == 0x5A, index + 1 == b.count {
                offset = 0
            } else if b[index] == 0x2B || b[index] == 0x2D, index + 6 == b.count, b[index + 3] == 0x3A,
                      let h = number(index + 1..<index + 3), let m = number(index + 4..<index + 6) {
                offset = (h * 60 + m) * (b[index] == 0x2D ? -1 : 1)
            } else {
                return nil
            }
        }
        let days = Timestamp.days(fromCivil: year, month, day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset * 60)
        self.milliseconds = seconds * 1000 + Int64(millis)
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// A length of sandbox time, in milliseconds. Scenario files write it as `500ms`, `5s`, `2m`,
/// `1h` or `1d`.
public struct TimeSpan: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    /// A span of `milliseconds`.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    /// A span of whole seconds.
    public static func seconds(_ value: Int64) -> TimeSpan { TimeSpan(milliseconds: value * 1000) }
    public static let zero = TimeSpan(milliseconds: 0)

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// Parses `500ms`, `5s`, `2m`, `1h`, `1d` (a whole number and a unit).
    public init?(parsing text: String) {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            let digits = text.dropLast(unit.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                  let value = Int64(digits), value <= Int64.max / scale / 1000 else { continue }
            self.milliseconds = value * scale
            return
        }
        return nil
    }

    public var description: String {
        for (unit, scale) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
        where milliseconds != 0 && milliseconds % scale == 0 {
            return "\(milliseconds / scale)\(unit)"
        }
        return "\(milliseconds)ms"
    }
}
