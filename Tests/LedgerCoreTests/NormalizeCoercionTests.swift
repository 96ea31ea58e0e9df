import LedgerCore
import LedgerLog
import Testing

@Suite struct NormalizeCoercionTests {
    @Test func booleans() throws {
        for t in ["true", "TRUE", "1", "yes", "Y", "t"] { #expect(try CoercionLayer.bool(t, field: "b").get().value == .bool(true)) }
        for f in ["false", "False", "0", "no", "N", "f"] { #expect(try CoercionLayer.bool(f, field: "b").get().value == .bool(false)) }
        #expect(try CoercionLayer.bool("true", field: "b").get().changed == false)
        #expect(try CoercionLayer.bool("Yes", field: "b").get().changed == true)
        #expect(CoercionLayer.bool("maybe", field: "b") == .failure(NormalizationFailure(
            .coercion, field: "b", reason: "\"maybe\" is not a boolean (true/false, 1/0, yes/no, y/n, t/f)")))
        #expect((try? CoercionLayer.bool("truex", field: "b").get()) == nil)
        #expect((try? CoercionLayer.bool("\u{0}t", field: "b").get()) == nil)
    }

    @Test func hex() throws {
        #expect(try CoercionLayer.hex("00ff10", field: "h").get() == CoercionLayer.Output(value: .bytes([0, 255, 16]), changed: false))
        #expect(try CoercionLayer.hex("0xDEADbeef", field: "h").get() == CoercionLayer.Output(value: .bytes([0xDE, 0xAD, 0xBE, 0xEF]), changed: true))
        #expect(try CoercionLayer.hex("\\x0a", field: "h").get().value == .bytes([10]))
        #expect(CoercionLayer.hex("abc", field: "h") == .failure(NormalizationFailure(.coercion, field: "h", reason: "\"abc\" has an odd number of hex digits")))
        #expect(CoercionLayer.hex("zz", field: "h") == .failure(NormalizationFailure(.coercion, field: "h", reason: "\"zz\" is not hex")))
    }

    @Test func integersMustBeIntegralAndInRange() {
        #expect(CoercionLayer.integer(.integer(42), text: "42", field: "n") == .success(42))
        #expect(CoercionLayer.integer(.decimal(LedgerDecimal("2.5")!), text: "2.5", field: "n") == .failure(
            NormalizationFailure(.coercion, field: "n", reason: "\"2.5\" is not an integer")))
        #expect(CoercionLayer.integer(.decimal(LedgerDecimal("1e19")!), text: "1e19", field: "n") == .failure(
            NormalizationFailure(.coercion, field: "n", reason: "\"1e19\" is outside the 64-bit integer range")))
    }

    /// Every type through the whole chain, as a field of a row.
    @Test func everyTypeThroughTheNormalizer() throws {
        let m = EntityMapping(entity: "t", key: ["id"], fields: [
            FieldMapping(name: "id", type: .integer), FieldMapping(name: "s"), FieldMapping(name: "d", type: .decimal),
            FieldMapping(name: "ts", type: .timestamp), FieldMapping(name: "b", type: .bool), FieldMapping(name: "h", type: .hex),
            FieldMapping(name: "raw", type: .hex),
        ])
        let n = try Normalizer(mapping: m)
        let row = SourceRow(
            entity: "t", position: SourcePosition(source: "csv", table: "t.csv", line: 2),
            columns: ["id", "s", "d", "ts", "b", "h", "raw"],
            values: [.text(" 2,026,000,000,001 "), .text(" x\r\ny "), .text("1.25e3"), .text("2026-03-01 10:22:11"), .text(" Y "),
                     .text("0A0b"), .bytes([0xFF, 0x00])])
        let fields = try n.normalize(row).get().fields
        // Fields come out in name order, as events store them.
        #expect(fields == [
            Field("b", .bool(true)), Field("d", .decimal(LedgerDecimal("1250")!)), Field("h", .bytes([10, 11])),
            Field("id", .integer(2_026_000_000_001)), Field("raw", .bytes([0xFF, 0x00])), Field("s", .string("x\ny")),
            Field("ts", .timestamp(Timestamp(iso8601: "2026-03-01T10:22:11Z")!)),
        ])
        let bad = SourceRow(entity: "t", position: row.position, columns: ["id", "d"], values: [.text("2.026e3"), .text("1")])
        #expect(n.normalize(bad) == .success(NormalizedRow(entity: "t", keyFields: ["id"], fields: [
            Field("b", .null), Field("d", .decimal(LedgerDecimal(1))), Field("h", .null), Field("id", .integer(2026)),
            Field("raw", .null), Field("s", .null), Field("ts", .null),
        ])))
        let fraction = SourceRow(entity: "t", position: row.position, columns: ["id"], values: [.text("2.5")])
        #expect(n.normalize(fraction) == .failure(NormalizationFailure(.coercion, field: "id", reason: "\"2.5\" is not an integer")))
    }
}
