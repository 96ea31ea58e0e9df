import Foundation
import Synchronization

/// The time zone a source writes local times in: `UTC`, a fixed offset (`+07:00`, `-0530`, `+07`) or
/// an IANA name (`Asia/Ho_Chi_Minh`, `Europe/Berlin`).
///
/// IANA rules come from Foundation once per zone name (the transitions of 1900–2100, shared by every
/// normalizer of that zone); resolving a local time is then a binary search, with no Foundation call
/// per row. Local times outside that window ask Foundation directly.
///
/// **Daylight-saving rule.** A local time that does not exist (in the gap of a spring-forward
/// transition, e.g. 2026-03-29 02:30 in Europe/Berlin) is read with the offset in force before the
/// transition, which moves it forward by the length of the gap (03:30 CEST, 01:30Z). A local time
/// that occurs twice (in the overlap of a fall-back transition, e.g. 2026-10-25 02:30) is the earlier
/// instant: its first occurrence, with the pre-transition offset (02:30 CEST, 00:30Z).
public struct SourceTimeZone: Sendable, Hashable {
    /// The name as configured.
    public let name: String
    private let fixed: Int64?
    private let rules: ZoneRules?

    public static let utc = SourceTimeZone(name: "UTC", fixed: 0, rules: nil)

    private init(name: String, fixed: Int64?, rules: ZoneRules?) {
        self.name = name
        self.fixed = fixed
        self.rules = rules
    }

    /// Resolves `name`; throws ``MappingError/Code/unknownTimeZone`` for anything else.
    public init(_ name: String) throws(MappingError) {
        if name == "UTC" || name == "Z" || name == "GMT" || name == "Etc/UTC" {
            self.init(name: name, fixed: 0, rules: nil)
        } else if let offset = Self.parseOffset(Array(name.utf8)[...]) {
            self.init(name: name, fixed: offset, rules: nil)
        } else if let rules = ZoneRules.named(name) {
            self.init(name: name, fixed: nil, rules: rules)
        } else {
            throw MappingError(
                .unknownTimeZone, field: "timeZone",
                message: "unknown time zone \"\(name)\"; expected UTC, an offset like +07:00 or an IANA name like Asia/Ho_Chi_Minh")
        }
    }

    /// The UTC offset in seconds (local − UTC) of the wall-clock time `local`, given as seconds since
    /// 1970-01-01T00:00 local, under the daylight-saving rule above.
    @inline(__always)
    public func offset(forLocal local: Int64) -> Int64 {
        if let fixed { return fixed }
        return rules!.offset(forLocal: local)
    }

    /// `±HH:MM`, `±HHMM` or `±HH`, hours below 24.
    static func parseOffset(_ u: ArraySlice<UInt8>) -> Int64? {
        guard let sign = u.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        var d: [Int64] = []
        for (k, c) in u.dropFirst().enumerated() {
            if c == UInt8(ascii: ":") && k == 2 { continue }
            guard c >= 0x30, c <= 0x39 else { return nil }
            d.append(Int64(c - 0x30))
        }
        guard d.count == 2 || d.count == 4, u.count == d.count + 1 || (d.count == 4 && u.count == 6) else { return nil }
        let h = d[0] * 10 + d[1], m = d.count == 4 ? d[2] * 10 + d[3] : 0
        guard h < 24, m < 60 else { return nil }
        return (h * 3600 + m * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
    }

    public static func == (a: SourceTimeZone, b: SourceTimeZone) -> Bool { a.name == b.name }
    public func hash(into h: inout Hasher) { h.combine(name) }
}

/// The UTC offsets of one IANA zone as a table of transitions, built once per zone.
final class ZoneRules: Sendable {
    let timeZone: TimeZone
    /// Per transition: the first local time (seconds) after the transition's gap or overlap…
    let localEnds: [Int64]
    /// …and the offset in force before it.
    let offsetsBefore: [Int64]
    /// The offset after the last transition of the window.
    let finalOffset: Int64
    /// Local times in this range are answered from the table.
    let tableRange: ClosedRange<Int64>

    static let windowStart: Int64 = -2_208_988_800   // 1900-01-01T00:00Z
    static let windowEnd: Int64 = 4_102_444_800      // 2100-01-01T00:00Z
    private static let cache = Mutex<[String: ZoneRules]>([:])

    static func named(_ name: String) -> ZoneRules? {
        if let r = cache.withLock({ $0[name] }) { return r }
        guard let tz = TimeZone(identifier: name) else { return nil }
        let rules = ZoneRules(tz)
        return cache.withLock { c in
            if let r = c[name] { return r }
            c[name] = rules
            return rules
        }
    }

    private init(_ tz: TimeZone) {
        timeZone = tz
        let t = Self.transitions(tz, from: Self.windowStart, to: Self.windowEnd)
        localEnds = t.map { $0.at + max($0.before, $0.after) }
        offsetsBefore = t.map(\.before)
        finalOffset = Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(Self.windowEnd))))
        tableRange = (Self.windowStart + 2 * 86_400)...(Self.windowEnd - 2 * 86_400)
    }

    /// Transitions at UTC instants in `from..<to`, with the offsets before and after each.
    static func transitions(_ tz: TimeZone, from: Int64, to: Int64) -> [(at: Int64, before: Int64, after: Int64)] {
        var out: [(at: Int64, before: Int64, after: Int64)] = []
        var d = Date(timeIntervalSince1970: Double(from))
        while let next = tz.nextDaylightSavingTimeTransition(after: d), next.timeIntervalSince1970 < Double(to) {
            let at = Int64(next.timeIntervalSince1970.rounded(.down))
            let before = Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(at - 1))))
            let after = Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(at))))
            if before != after { out.append((at, before, after)) }
            d = next
        }
        return out
    }

    /// The offset before the first transition whose gap or overlap ends after `local`: that is the
    /// offset of a local time before the transition and, by the rule, of one inside its gap or overlap.
    func offset(forLocal local: Int64) -> Int64 {
        guard tableRange.contains(local) else { return slowOffset(forLocal: local) }
        var lo = 0, hi = localEnds.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if localEnds[mid] > local { hi = mid } else { lo = mid + 1 }
        }
        return lo < localEnds.count ? offsetsBefore[lo] : finalOffset
    }

    private func slowOffset(forLocal local: Int64) -> Int64 {
        for t in Self.transitions(timeZone, from: local - 3 * 86_400, to: local + 3 * 86_400)
        where t.at + max(t.before, t.after) > local {
            return t.before
        }
        return Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local))))
    }
}
