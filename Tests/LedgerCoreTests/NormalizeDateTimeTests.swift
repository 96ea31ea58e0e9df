import LedgerCore
import LedgerLog
import Testing

@Suite struct NormalizeDateTimeTests {
    func utc(_ text: String, _ zone: String = "UTC") throws -> String {
        try DateTimeLayer.parse(text, zone: try SourceTimeZone(zone), field: "at").get().timestamp.iso8601
    }

    @Test(arguments: [
        ("2026-03-01 10:22:11", "2026-03-01T10:22:11.000000Z"),
        ("2026/03/01", "2026-03-01T00:00:00.000000Z"),
        ("01-03-2026 10:22", "2026-03-01T10:22:00.000000Z"),
        ("01/03/2026", "2026-03-01T00:00:00.000000Z"),
        ("2026-03-01", "2026-03-01T00:00:00.000000Z"),
        ("2026-03-01T10:22:11+07:00", "2026-03-01T03:22:11.000000Z"),
        ("2026-03-01T10:22:11Z", "2026-03-01T10:22:11.000000Z"),
        ("2026-03-01T10:22:11.5Z", "2026-03-01T10:22:11.500000Z"),
        ("2026-03-01T10:22:11.123456-05:30", "2026-03-01T15:52:11.123456Z"),
        ("2026-03-01T10:22:11.123456000+0700", "2026-03-01T03:22:11.123456Z"),
        ("2026-03-01 10:22:11 +07", "2026-03-01T03:22:11.000000Z"),
        ("2026-03-01T00:30:00+07:00", "2026-02-28T17:30:00.000000Z"),
        ("2024-02-29 23:59:59", "2024-02-29T23:59:59.000000Z"),
    ])
    func parsesTheSourceFormats(input: String, expected: String) throws {
        #expect(try utc(input) == expected)
    }

    @Test func localTimesAreInTheSourceZone() throws {
        #expect(try utc("2026-03-01 10:22:11", "+07:00") == "2026-03-01T03:22:11.000000Z")
        #expect(try utc("2026-03-01 10:22:11", "-0330") == "2026-03-01T13:52:11.000000Z")
        #expect(try utc("01-03-2026 10:22", "Asia/Ho_Chi_Minh") == "2026-03-01T03:22:00.000000Z")
        #expect(try utc("2026/03/01", "Asia/Ho_Chi_Minh") == "2026-02-28T17:00:00.000000Z")
        // An explicit offset wins over the zone.
        #expect(try utc("2026-03-01T10:22:11Z", "Asia/Ho_Chi_Minh") == "2026-03-01T10:22:11.000000Z")
        #expect(try utc("2026-01-15 12:00", "Europe/Berlin") == "2026-01-15T11:00:00.000000Z")
        #expect(try utc("2026-07-01 12:00", "Europe/Berlin") == "2026-07-01T10:00:00.000000Z")
    }

    /// Spring forward (2026-03-29, 02:00 CET → 03:00 CEST): a time in the gap moves forward by the gap.
    @Test func gapIsShiftedForward() throws {
        #expect(try utc("2026-03-29 01:59:59", "Europe/Berlin") == "2026-03-29T00:59:59.000000Z")
        #expect(try utc("2026-03-29 02:00:00", "Europe/Berlin") == "2026-03-29T01:00:00.000000Z")
        #expect(try utc("2026-03-29 02:30", "Europe/Berlin") == "2026-03-29T01:30:00.000000Z")   // = 03:30 CEST
        #expect(try utc("2026-03-29 03:30", "Europe/Berlin") == "2026-03-29T01:30:00.000000Z")
        #expect(try utc("2026-03-29 03:00", "Europe/Berlin") == "2026-03-29T01:00:00.000000Z")
    }

    /// Fall back (2026-10-25, 03:00 CEST → 02:00 CET): a time in the overlap is its first occurrence.
    @Test func overlapTakesTheEarlierInstant() throws {
        #expect(try utc("2026-10-25 01:59", "Europe/Berlin") == "2026-10-24T23:59:00.000000Z")
        #expect(try utc("2026-10-25 02:00", "Europe/Berlin") == "2026-10-25T00:00:00.000000Z")
        #expect(try utc("2026-10-25 02:30", "Europe/Berlin") == "2026-10-25T00:30:00.000000Z")   // 02:30 CEST, not CET
        #expect(try utc("2026-10-25 02:59:59", "Europe/Berlin") == "2026-10-25T00:59:59.000000Z")
        #expect(try utc("2026-10-25 03:00", "Europe/Berlin") == "2026-10-25T02:00:00.000000Z")
    }

    /// Outside the cached 1900–2100 table the zone is asked directly, with the same rule.
    @Test func datesOutsideTheTable() throws {
        #expect(try utc("1850-06-01 12:00", "Europe/Berlin") == "1850-06-01T11:06:32.000000Z")    // LMT +00:53:28
        #expect(try utc("2150-07-01 12:00", "Europe/Berlin") == "2150-07-01T10:00:00.000000Z")
        #expect(try utc("2150-10-25 02:30", "Europe/Berlin") == "2150-10-25T00:30:00.000000Z")
    }

    @Test(arguments: [
        ("2026-02-30", "is not a valid calendar date"), ("2026-13-01", "is not a valid calendar date"),
        ("2025-02-29 10:00", "is not a valid calendar date"), ("0000-01-01", "is not a valid calendar date"),
        ("31-04-2026 10:00", "is not a valid calendar date"),
        ("2026-03-01 24:00", "is not a valid time of day"), ("2026-03-01 10:60", "is not a valid time of day"),
        ("2026-03-01T10:22:11.1234567Z", "has digits beyond microseconds"),
        ("abc", "is not a date or time"), ("2026-03-01X", "is not a date or time"), ("2026-3-1", "is not a date or time"),
        ("2026-03/01", "is not a date or time"), ("2026-03-01T10", "is not a date or time"),
        ("2026-03-01T10:22:11+25:00", "is not a date or time"), ("2026-03-01T10:22:11 junk", "is not a date or time"),
    ])
    func rejectsWithTheQuotedValue(input: String, why: String) throws {
        #expect(DateTimeLayer.parse(input, zone: .utc, field: "at") == .failure(
            NormalizationFailure(.datetime, field: "at", reason: "\"\(input)\" \(why)")))
    }

    @Test func canonicalTextIsUnchanged() throws {
        #expect(try DateTimeLayer.parse("2026-03-01T10:22:11.000000Z", zone: .utc, field: "at").get().changed == false)
        #expect(try DateTimeLayer.parse("2026-03-01 10:22:11", zone: .utc, field: "at").get().changed == true)
    }

    @Test func zoneNames() throws {
        #expect(try SourceTimeZone("+07:00").offset(forLocal: 0) == 25_200)
        #expect(try SourceTimeZone("-0530").offset(forLocal: 0) == -19_800)
        #expect(try SourceTimeZone("+07").offset(forLocal: 0) == 25_200)
        #expect(try SourceTimeZone("UTC").offset(forLocal: 1_000_000) == 0)
        #expect(throws: MappingError(.unknownTimeZone, field: "timeZone", message:
            "unknown time zone \"Mars/Olympus\"; expected UTC, an offset like +07:00 or an IANA name like Asia/Ho_Chi_Minh")) {
            try SourceTimeZone("Mars/Olympus")
        }
        #expect((try? SourceTimeZone("+24:00")) == nil)
    }
}
