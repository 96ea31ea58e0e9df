/// A UTC instant in whole microseconds since the Unix epoch.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z: the range the canonical text can show.
    public static let minimum = Timestamp(microseconds: -62_135_596_800_000_000)
    public static let maximum = Timestamp(microseconds: 253_402_300_799_999_999)

    public var isRepresentable: Bool { self >= Self.minimum && self <= Self.maximum }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, the canonical text of log-format/SPEC.md §3.2.
    public var description: String { iso8601 }

    /// Calls `body` with ``iso8601`` as UTF-8 bytes, formatted on the stack for the representable range
    /// (what the targets bind and COPY for every timestamp).
    public func withISO8601Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard isRepresentable else {
            var text = iso8601
            return try text.withUTF8(body)
        }
        let (y, m, d, secs, frac) = parts
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 27) { b in
            func put(_ v: Int64, _ at: Int, _ n: Int) {
                var v = v
                for k in stride(from: at + n - 1, through: at, by: -1) {
                    b[k] = UInt8(truncatingIfNeeded: 48 + v % 10)
                    v /= 10
                }
            }
            put(y, 0, 4); b[4] = 45; put(m, 5, 2); b[7] = 45; put(d, 8, 2); b[10] = 84
            put(secs / 3600, 11, 2); b[13] = 58; put(secs / 60 % 60, 14, 2); b[16] = 58; put(secs % 60, 17, 2)
            b[19] = 46; put(frac, 20, 6); b[26] = 90
            return try body(UnsafeBufferPointer(b))
        }
    }

    /// The civil date, the second of the day and its microseconds.
    private var parts: (year: Int64, month: Int64, day: Int64, second: Int64, micro: Int64) {
        // Floor division without negation or multiplication, so every Int64 renders without trapping.
        let perDay: Int64 = 86_400_000_000
        var (days, rem) = microseconds.quotientAndRemainder(dividingBy: perDay)
        if rem < 0 { days -= 1; rem += perDay }
        let (y, m, d) = Self.civil(fromDays: days)
        return (y, m, d, rem / 1_000_000, rem % 1_000_000)
    }

    public var iso8601: String {
        let (y, m, d, secs, frac) = parts
        func pad(_ v: Int64, _ n: Int) -> String {
            let s = String(v.magnitude)
            return (v < 0 ? "-" : "") + (s.count >= n ? s : String(repeating: "0", count: n - s.count) + s)
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secs / 3600, 2)):\(pad(secs / 60 % 60, 2)):\(pad(secs % 60, 2)).\(pad(frac, 6))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)`; fractions beyond microseconds must be zero.
    public init?(iso8601 s: String) {
        let u = Array(s.utf8)
        func num(_ r: Range<Int>) -> Int64? {
            guard r.upperBound <= u.count else { return nil }
            var v: Int64 = 0
            for i in r {
                guard u[i] >= 0x30 && u[i] <= 0x39 else { return nil }
                v = v * 10 + Int64(u[i] - 0x30)
            }
            return v
        }
        guard u.count >= 20, u[4] == 0x2D, u[7] == 0x2D, u[10] == 0x54 || u[10] == 0x20, u[13] == 0x3A, u[16] == 0x3A,
              let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10),
              let h = num(11..<13), let mi = num(14..<16), let se = num(17..<19),
              (1...12).contains(mo), d >= 1, d <= Self.daysIn(month: mo, year: y), h < 24, mi < 60, se < 60
        else { return nil }
        var i = 19
        var micros: Int64 = 0
        if i < u.count, u[i] == 0x2E {
            i += 1
            var digits = 0
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39 {
                if digits < 6 { micros = micros * 10 + Int64(u[i] - 0x30) } else if u[i] != 0x30 { return nil }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { micros *= 10 }
        }
        var offsetSeconds: Int64 = 0
        guard i < u.count else { return nil }
        if u[i] == 0x5A && i + 1 == u.count {
            offsetSeconds = 0
        } else if (u[i] == 0x2B || u[i] == 0x2D) && i + 6 == u.count && u[i + 3] == 0x3A,
                  let oh = num((i + 1)..<(i + 3)), let om = num((i + 4)..<(i + 6)), oh < 24, om < 60 {
            offsetSeconds = (oh * 3600 + om * 60) * (u[i] == 0x2D ? -1 : 1)
        } else {
            return nil
        }
        let days = Self.days(fromCivil: y, mo, d)
        let seconds = days * 86_400 + h * 3600 + mi * 60 + se - offsetSeconds
        microseconds = seconds * 1_000_000 + micros
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Howard Hinnant's days_from_civil.
    public static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
