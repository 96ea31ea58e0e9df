import LedgerCore
import LedgerLog
import LedgerTestKit
import Testing

/// The normalizer takes common text in one pass over its bytes (``Normalizer`` skips the strings
/// layer's clean copy); every value and every counter must be what the layers give one by one.
@Suite struct NormalizeOnePassTests {
    static let texts: [String] = [
        "", " ", "\u{00A0}", "\u{FEFF}", "\t\r\n", "42", " 42 ", "0042", "-7", "+7", "1,250.00", " 1,250.00\u{00A0}",
        "1.25e3", "1.5E-2", "12.", ".5", "1,2,3", "1..2", "abc", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "12.50", "3.0", "1e400", "123456789012345678901234567890123456789",
        "2026-03-01 10:22:11", " 2026/03/01 ", "01-03-2026 10:22", "2026-03-01T10:22:11+07:00", "2026-03-01T10:22:11.1234567Z",
        "2026-02-30", "2026-03-08 02:30:00", "2026-11-01 01:30:00", "24:00", "0000-01-01", "Milk", " Milk\u{3000}",
        "two\r\nlines", "line\rbreak", "\u{2028}x\u{2029}", "café ", "\u{0085}end", "a\u{200B}", "1\r", "\r\n12\r\n",
        // Already canonical, or nearly: the numerics' one-pass path takes only the first kind.
        "-0", "-0.5", "0.0", "0", "007", "123456789012345678", "-123456789012345678", "1234567890123456789", "5.",
        "12345678901234567890.5", "0.05", "-12.340", "1234567890123456789012345678901234567.8", "1.2.3", "-", "-.5",
    ]

    static let fields: [FieldMapping] = [
        FieldMapping(name: "f", type: .string),
        FieldMapping(name: "f", type: .decimal),
        FieldMapping(name: "f", type: .integer),
        FieldMapping(name: "f", type: .timestamp),
        FieldMapping(name: "f", type: .decimal, minimum: LedgerDecimal("0"), maximum: LedgerDecimal("1000")),
        FieldMapping(name: "f", type: .integer, minimum: LedgerDecimal("-5"), maximum: LedgerDecimal("100")),
    ]

    @Test(arguments: ["UTC", "America/New_York", "+07:00"])
    func everyValueAndCounterAsTheLayersGiveThem(zone: String) throws {
        let tz = try SourceTimeZone(zone)
        for field in Self.fields {
            let mapping = EntityMapping(entity: "e", key: ["k"], fields: [FieldMapping(name: "k", type: .integer, required: true), field])
            let n = try Normalizer(mapping: mapping, timeZone: tz)
            for text in Self.texts { _ = Self.compare(text, field, n, zone: tz, "in \(zone)") }
        }
    }

    /// Random texts from the characters the layers treat specially (digits, signs, separators,
    /// exponents, date and time punctuation, the junk the strings layer trims, a carriage return),
    /// as many as 24 of them, seeded so a failure replays.
    @Test func randomTextsAsTheLayersGiveThem() throws {
        let alphabet: [String] = ["0", "1", "2", "5", "9", "0", "3", "-", "+", ",", ".", "e", "E", " ", "\u{00A0}", "\t",
                                  "\r", "\n", ":", "/", "T", "Z", "x", "\u{3000}", "\u{FEFF}", "é", "20", "26", "12"]
        let seeds = ["2026-03-01 10:22:11", "2026/03/01", "01-03-2026 10:22", "2026-03-01T10:22:11+07:00", "2026-03-01T10:22:11.123Z",
                     "1,250.00", "1250.0", "1.25e3", "-42", "0.5", "9223372036854775807", "12"]
        let tz = try SourceTimeZone("Asia/Ho_Chi_Minh")
        var random = SeededRandom(seed: 20261204)
        let normalizers = try Self.fields.map { field in
            try Normalizer(mapping: EntityMapping(entity: "e", key: ["k"], fields: [FieldMapping(name: "k", type: .integer, required: true), field]),
                           timeZone: tz)
        }
        var accepted = 0
        var perType = [Int](repeating: 0, count: Self.fields.count)
        for _ in 0..<3000 {
            // Half of them random, half a valid number or time with a few characters changed and junk around it.
            var text: String
            if Bool.random(using: &random) {
                text = (0..<Int.random(in: 0...24, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
            } else {
                var chars = Array(seeds.randomElement(using: &random)!)
                for _ in 0..<Int.random(in: 0...2, using: &random) where !chars.isEmpty {
                    let i = Int.random(in: 0..<chars.count, using: &random)
                    switch Int.random(in: 0...2, using: &random) {
                    case 0: chars.remove(at: i)
                    case 1: chars.replaceSubrange(i...i, with: alphabet.randomElement(using: &random)!)
                    default: chars.insert(contentsOf: alphabet.randomElement(using: &random)!, at: i)
                    }
                }
                let junk = ["", "", " ", "\u{00A0}", "\t", "\r\n"]
                text = junk.randomElement(using: &random)! + String(chars) + junk.randomElement(using: &random)!
            }
            for (k, (field, n)) in zip(Self.fields, normalizers).enumerated() {
                guard let value = Self.compare(text, field, n, zone: tz) else { continue }
                accepted += 1
                if !value.isNull { perType[k] += 1 }
            }
        }
        // The texts reach both outcomes for every kind of field: each kind takes over a hundred
        // values (not null), and many are refused.
        #expect(perType.allSatisfy { $0 > 100 }, "values taken per kind: \(perType)")
        #expect(accepted < 18000 / 2, "\(accepted) of 18000 accepted")
    }

    /// Normalizes `text` as field `f` of a row (after the integer key `k = 1`) and expects the value
    /// or failure, and every counter, that ``layered(_:_:zone:counters:)`` gives. Returns the value
    /// when both accept the text.
    static func compare(_ text: String, _ f: FieldMapping, _ n: Normalizer, zone: SourceTimeZone, _ context: String = "") -> FieldValue? {
        var got = NormalizationCounters()
        let row = SourceRow(entity: "e", position: SourcePosition(source: "s", table: "t", rowID: 1), columns: ["k", "f"],
                            values: [.text("1"), .text(text)])
        let result = n.normalize(row, counters: &got)
        var want = NormalizationCounters()
        want.rows = 1
        want.mapping.processed = 1
        want.strings.processed = 1
        want.coercion.processed = 1
        want.numerics.processed = 1
        let what = "\(f.type) \(text.debugDescription) \(context)"
        var accepted: FieldValue? = nil
        switch (result, layered(text, f, zone: zone, counters: &want)) {
        case (.success(let row), .success(let value)):
            #expect(row.fields == [Field("f", value), Field("k", .integer(1))], "\(what)")
            accepted = value
        case (.failure(let a), .failure(let b)):
            #expect(a == b, "\(what)")
            want.rejectedRows = 1
        case (let a, let b):
            Issue.record("\(what): \(a) against \(b)")
        }
        #expect(got == want, "counters of \(what)")
        NormalizeEncodeTests.expectEncodedAsNormalized(row, n, context: what)
        return accepted
    }

    /// The layers applied one by one through their public entry points, counting as the normalizer
    /// documents (`want` already holds the key field's counts).
    static func layered(_ text: String, _ f: FieldMapping, zone: SourceTimeZone, counters c: inout NormalizationCounters) -> Result<FieldValue, NormalizationFailure> {
        c.mapping.processed += 1
        c.strings.processed += 1
        let clean = StringsLayer.clean(text)
        if clean.changed { c.strings.changed += 1 }
        guard let t = clean.text else { return .success(.null) }
        c.coercion.processed += 1
        switch f.type {
        case .string:
            return .success(.string(t))
        case .decimal, .integer:
            c.numerics.processed += 1
            switch NumericsLayer.parse(t, field: f.name, minimum: f.minimum, maximum: f.maximum) {
            case .failure(let e):
                c.numerics.rejected += 1
                return .failure(e)
            case .success(let out):
                if out.changed { c.numerics.changed += 1 }
                if f.type == .decimal { return .success(.decimal(out.number.decimal)) }
                switch CoercionLayer.integer(out.number, text: t, field: f.name) {
                case .success(let i): return .success(.integer(i))
                case .failure(let e):
                    c.coercion.rejected += 1
                    return .failure(e)
                }
            }
        case .timestamp:
            c.datetime.processed += 1
            switch DateTimeLayer.parse(t, zone: zone, field: f.name) {
            case .success(let out):
                if out.changed { c.datetime.changed += 1 }
                return .success(.timestamp(out.timestamp))
            case .failure(let e):
                c.datetime.rejected += 1
                return .failure(e)
            }
        case .bool, .hex:
            preconditionFailure("not in the table")
        }
    }
}
