public import LedgerLog

/// The datetime layer: date and time text to a UTC ``Timestamp``.
///
/// Accepted forms (a date, optionally followed by `T` or a space and a time):
/// - dates `YYYY-MM-DD`, `YYYY/MM/DD`, and day first `DD-MM-YYYY`, `DD/MM/YYYY`, `DD.MM.YYYY`;
/// - times `HH:MM`, `HH:MM:SS`, `HH:MM:SS.f` with 1–9 fraction digits (`,` too; digits beyond
///   microseconds must be zero);
/// - after a time, an optional offset `Z`, `±HH:MM`, `±HHMM` or `±HH`, optionally after a space.
///
/// A value without an offset is a local time in the source's ``SourceTimeZone`` (a date alone is
/// local midnight). Calendar dates are validated (no 2026-02-30).
public enum DateTimeLayer {
    /// A timestamp and whether the input was anything but the canonical `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    public struct Output: Sendable, Hashable {
        public var timestamp: Timestamp
        public var changed: Bool
    }

    enum Problem: String, Error {
        case notADate = "is not a date or time"
        case invalidDate = "is not a valid calendar date"
        case invalidTime = "is not a valid time of day"
        case tooPrecise = "has digits beyond microseconds"
        case outOfRange = "is outside the years 0001–9999"
    }

    public static func parse(_ text: String, zone: SourceTimeZone, field: String) -> Result<Output, NormalizationFailure> {
        var s = text
        switch s.withUTF8({ scan($0, zone: zone) }) {
        case .success(let out): return .success(out)
        case .failure(let p):
            return .failure(NormalizationFailure(.datetime, field: field, reason: "\(QuotedValue.quote(text)) \(p.rawValue)"))
        }
    }

    @inline(__always)
    static func number(_ u: UnsafeBufferPointer<UInt8>, _ i: Int, _ count: Int) -> Int64? {
        guard i + count <= u.count else { return nil }
        var v: Int64 = 0
        for k in i..<(i + count) {
            let d = u[k] &- 0x30
            guard d < 10 else { return nil }
            v = v * 10 + Int64(d)
        }
        return v
    }

    static func scan(_ u: UnsafeBufferPointer<UInt8>, zone: SourceTimeZone) -> Result<Output, Problem> {
        let n = u.count
        guard n >= 10 else { return .failure(.notADate) }
        let y: Int64, mo: Int64, d: Int64
        if u[4] == UInt8(ascii: "-") || u[4] == UInt8(ascii: "/"), u[7] == u[4],
           let yy = number(u, 0, 4), let mm = number(u, 5, 2), let dd = number(u, 8, 2) {
            (y, mo, d) = (yy, mm, dd)
        } else if u[2] == UInt8(ascii: "-") || u[2] == UInt8(ascii: "/") || u[2] == UInt8(ascii: "."), u[5] == u[2],
                  let dd = number(u, 0, 2), let mm = number(u, 3, 2), let yy = number(u, 6, 4) {
            (y, mo, d) = (yy, mm, dd)
        } else {
            return .failure(.notADate)
        }
        var h: Int64 = 0, mi: Int64 = 0, se: Int64 = 0, micros: Int64 = 0
        var offset: Int64? = nil
        var i = 10
        if i < n {
            guard u[i] == UInt8(ascii: "T") || u[i] == UInt8(ascii: " ") || u[i] == UInt8(ascii: "t"),
                  let hh = number(u, i + 1, 2), i + 3 < n, u[i + 3] == UInt8(ascii: ":"), let mm = number(u, i + 4, 2)
            else { return .failure(.notADate) }
            (h, mi) = (hh, mm)
            i += 6
            if i < n, u[i] == UInt8(ascii: ":") {
                guard let ss = number(u, i + 1, 2) else { return .failure(.notADate) }
                se = ss
                i += 3
                if i < n, u[i] == UInt8(ascii: ".") || u[i] == UInt8(ascii: ",") {
                    i += 1
                    var digits = 0
                    while i < n, u[i] &- 0x30 < 10 {
                        if digits < 6 { micros = micros * 10 + Int64(u[i] - 0x30) } else if u[i] != 0x30 { return .failure(.tooPrecise) }
                        digits += 1
                        i += 1
                    }
                    guard digits > 0, digits <= 9 else { return .failure(.notADate) }
                    for _ in digits..<max(digits, 6) { micros *= 10 }
                }
            }
            if i + 1 < n, u[i] == UInt8(ascii: " ") { i += 1 }
            if i < n {
                let c = u[i]
                if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                    offset = 0
                    i += 1
                } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                    var j = i + 1
                    guard let oh = number(u, j, 2) else { return .failure(.notADate) }
                    j += 2
                    var om: Int64 = 0
                    if j < n {
                        if u[j] == UInt8(ascii: ":") { j += 1 }
                        guard let m = number(u, j, 2) else { return .failure(.notADate) }
                        om = m
                        j += 2
                    }
                    guard oh < 24, om < 60 else { return .failure(.notADate) }
                    offset = (oh * 3600 + om * 60) * (c == UInt8(ascii: "-") ? -1 : 1)
                    i = j
                }
            }
            guard i == n else { return .failure(.notADate) }
        }
        guard y >= 1, mo >= 1, mo <= 12, d >= 1, d <= daysIn(month: mo, year: y) else { return .failure(.invalidDate) }
        guard h < 24, mi < 60, se < 60 else { return .failure(.invalidTime) }
        let local = Timestamp.days(fromCivil: y, mo, d) * 86_400 + h * 3600 + mi * 60 + se
        let utc = local - (offset ?? zone.offset(forLocal: local))
        let t = Timestamp(microseconds: utc * 1_000_000 + micros)
        guard t.isRepresentable else { return .failure(.outOfRange) }
        let canonical = n == 27 && u[10] == UInt8(ascii: "T") && u[19] == UInt8(ascii: ".") && u[26] == UInt8(ascii: "Z")
        return .success(Output(timestamp: t, changed: !canonical))
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
