import LedgerLog
import PropertyBased
import Testing

/// Timestamps: ISO 8601 parsing with offsets and the canonical UTC text of SPEC §3.2.
@Suite struct TimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0), "1970-01-01T00:00:00.000000Z"),
        ("2026-01-01T00:00:00Z", 1_767_225_600_000_000, "2026-01-01T00:00:00.000000Z"),
        ("2026-01-01T08:00:13+05:30", 1_767_234_613_000_000, "2026-01-01T02:30:13.000000Z"),
        ("2026-01-01T00:00:00-01:00", 1_767_229_200_000_000, "2026-01-01T01:00:00.000000Z"),
        ("2026-03-01T10:22:11.5+07:00", 1_772_335_331_500_000, "2026-03-01T03:22:11.500000Z"),
        ("2026-01-01 08:00:00.123456Z", 1_767_254_400_123_456, "2026-01-01T08:00:00.123456Z"),
        ("2026-01-01T08:00:00.123456000Z", 1_767_254_400_123_456, "2026-01-01T08:00:00.123456Z"),
        ("1969-12-31T23:59:59.999999Z", -1, "1969-12-31T23:59:59.999999Z"),
        ("1969-12-30T23:59:59.999999Z", -86_400_000_001, "1969-12-30T23:59:59.999999Z"),
        ("1900-01-01T00:00:00-00:30", -2_208_987_000_000_000, "1900-01-01T00:30:00.000000Z"),
        ("1600-02-29T12:00:00Z", -11_670_955_200_000_000, "1600-02-29T12:00:00.000000Z"),
        ("2000-02-29T00:00:00Z", 951_782_400_000_000, "2000-02-29T00:00:00.000000Z"),
        ("0001-01-01T00:00:00Z", -62_135_596_800_000_000, "0001-01-01T00:00:00.000000Z"),
        ("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999, "9999-12-31T23:59:59.999999Z"),
    ])
    func parsesAndPrintsCanonicalUTC(input: String, microseconds: Int64, canonical: String) throws {
        let t = try #require(Timestamp(iso8601: input), "\(input) was rejected")
        #expect(t.microseconds == microseconds)
        #expect(t.iso8601 == canonical)
        #expect(Timestamp(iso8601: canonical) == t)
        #expect(FieldValue.timestamp(t).canonicalText == canonical)
    }

    @Test(arguments: [
        "2026-01-01T24:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-01-32T00:00:00Z",
        "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-01T00:60:00Z",
        "2026-01-01T00:00:60Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00+0530", "2026-01-01T00:00:00+05",
        "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00.1234567Z", "2026-01-01T00:00:00z", "2026-1-01T00:00:00Z",
        "2026-01-01T00:00:00Z ", "garbage", "",
    ])
    func malformedTextIsRejected(input: String) {
        #expect(Timestamp(iso8601: input) == nil, "\(input) was accepted")
    }

    @Test func canonicalTextRoundTripsOverTheWholeRepresentableRange() async {
        let micros = Gen<Int64>.value(in: Timestamp.minimum.microseconds...Timestamp.maximum.microseconds)
        await propertyCheck(count: 1000, input: micros) { us in
            let t = Timestamp(microseconds: us)
            let text = t.iso8601
            #expect(text.utf8.count == 27)
            #expect(Timestamp(iso8601: text) == t, "\(us) → \(text)")
        }
    }

    @Test func offsetsShiftTheInstantAndNotTheText() async {
        let input = Generator<(Int64, Int, Int), Shrink.None<(Int64, Int, Int)>> { rng in
            (Int64.random(in: 0...4_000_000_000, using: &rng) * 1_000_000, Int.random(in: -23...23, using: &rng), Int.random(in: 0...59, using: &rng))
        }
        await propertyCheck(count: 300, input: input) { value in
            let (utc, hours, minutes) = value
            let base = Timestamp(microseconds: utc)
            let offsetSeconds = Int64(hours * 3600 + (hours < 0 ? -minutes : minutes) * 60)
            let local = Timestamp(microseconds: utc + offsetSeconds * 1_000_000).iso8601.dropLast(8)   // YYYY-MM-DDTHH:MM:SS
            let sign = hours < 0 ? "-" : "+"
            let zone = sign + (abs(hours) < 10 ? "0" : "") + String(abs(hours)) + ":" + (minutes < 10 ? "0" : "") + String(minutes)
            #expect(Timestamp(iso8601: String(local) + zone) == base, "\(local)\(zone)")
        }
    }

    @Test func eventsRejectTimestampsOutsideTheYearsThatCanBeWritten() throws {
        func event(_ us: Int64) throws(EventError) -> NewEvent {
            try NewEvent(source: "s", entity: "e", keyFields: ["k"], fields: [Field("k", .integer(1)), Field("t", .timestamp(Timestamp(microseconds: us)))])
        }
        _ = try event(Timestamp.minimum.microseconds)
        _ = try event(Timestamp.maximum.microseconds)
        #expect(throws: EventError(.timestampOutOfRange, field: "t")) { try event(Timestamp.minimum.microseconds - 1) }
        #expect(throws: EventError(.timestampOutOfRange, field: "t")) { try event(Timestamp.maximum.microseconds + 1) }
        #expect(throws: EventError(.timestampOutOfRange, field: "t")) { try event(.min) }
    }

    /// A log written by another writer may hold any i64 timestamp; rendering it (`ledger tail`, a key's
    /// canonical text) must not trap the reader.
    @Test func renderingAnyStoredTimestampDoesNotTrap() async {
        await #expect(processExitsWith: .success) {
            for us in [Int64.min, Int64.min + 1, -9_223_372_000_000_000_000, Int64.max] {
                _ = Timestamp(microseconds: us).iso8601
            }
        }
    }
}
