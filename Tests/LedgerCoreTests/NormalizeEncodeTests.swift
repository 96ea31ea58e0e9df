import LedgerCore
import LedgerLog
import LedgerTestKit
import Testing

/// ``Normalizer/encode(_:columnIndexes:counters:into:)`` writes a row straight to the bytes its event
/// stores; bytes, record id, rowversion and counters must be those of ``Normalizer/normalize(_:counters:)``
/// and the event built from its fields, and a row it leaves to the layers must count nothing.
@Suite struct NormalizeEncodeTests {
    static let mapping = EntityMapping(entity: "sales", key: ["id", "code"], rowversion: "rv", fields: [
        FieldMapping(name: "id", type: .integer, required: true),
        FieldMapping(name: "code", column: "product", type: .string, required: true),
        FieldMapping(name: "name", type: .string, defaultValue: "n/a"),
        FieldMapping(name: "price", type: .decimal, minimum: LedgerDecimal("0")),
        FieldMapping(name: "qty", type: .decimal),
        FieldMapping(name: "at", type: .timestamp),
        FieldMapping(name: "rv", type: .integer),
        FieldMapping(name: "note", type: .string),
        FieldMapping(name: "flag", type: .bool),
    ])

    static let columns = ["id", "product", "name", "price", "qty", "at", "rv", "flag"]

    static let rows: [[RawValue]] = [
        [.text("1"), .text("893000"), .text("Milk"), .text("1,250.00"), .text("2"), .text("2026-03-01 10:22:11"), .text("7"), .null],
        [.text(" 2 "), .text("a|b=c\\d"), .text(" \u{00A0}"), .text("0.50"), .text("1.5e2"), .text("2026/03/01"), .null, .null],
        [.text("3"), .text("x"), .null, .text("12"), .text("-0.25"), .text("01-03-2026 10:22"), .text("0042"), .null],
        [.text("4"), .text("Café au lait, 250 ml"), .text("a longer name than fifteen bytes"), .text("9999999999999999999.5"),
         .text("100000000000000000000"), .text("2026-03-01T10:22:11+07:00"), .text("-3"), .null],
        // Left to the layers: a carriage return, a bool, a refused price, bytes, a null key.
        [.text("5"), .text("two\r\nlines"), .text("n"), .text("1"), .text("1"), .null, .null, .null],
        [.text("6"), .text("p"), .text("n"), .text("1"), .text("1"), .null, .null, .text("yes")],
        [.text("7"), .text("p"), .text("n"), .text("-1"), .text("1"), .null, .null, .null],
        [.text("8"), .bytes([0xFF]), .text("n"), .text("1"), .text("1"), .null, .null, .null],
        [.null, .text("p"), .text("n"), .text("1"), .text("1"), .null, .null, .null],
        [.text("9"), .text("p"), .text("n"), .text("abc"), .text("1"), .null, .null, .null],
    ]

    @Test func rowsAsTheNormalizerAndEventGiveThem() throws {
        let n = try Normalizer(mapping: Self.mapping, timeZone: "Asia/Ho_Chi_Minh")
        var encoded = 0
        for (i, values) in Self.rows.enumerated() {
            let row = SourceRow(entity: "sales", position: SourcePosition(source: "s", table: "t", rowID: Int64(i)),
                                columns: Self.columns, values: values)
            if Self.expectEncodedAsNormalized(row, n, context: "row \(i)") { encoded += 1 }
        }
        // The first four take the one-pass path, the rest the layers.
        #expect(encoded == 4)
    }

    @Test func aRowOfAnotherEntityIsLeftToTheNormalizer() throws {
        let n = try Normalizer(mapping: Self.mapping)
        let row = SourceRow(entity: "receipts", position: SourcePosition(source: "s", table: "t"), columns: Self.columns, values: Self.rows[0])
        var counters = NormalizationCounters()
        var writer = EncodedFieldsWriter()
        #expect(n.encode(row, columnIndexes: n.mappingLayer.columnIndexes(for: row.columns), counters: &counters, into: &writer) == nil)
        #expect(counters == NormalizationCounters())
    }

    /// Encodes `row` with `n` and, when it is encoded, expects what normalizing it and building its
    /// event give; when it is not, expects nothing counted. Returns whether it was encoded.
    @discardableResult
    static func expectEncodedAsNormalized(_ row: SourceRow, _ n: Normalizer, context: String) -> Bool {
        var counters = NormalizationCounters()
        var writer = EncodedFieldsWriter()
        let indexes = n.mappingLayer.columnIndexes(for: row.columns)
        guard let encoded = n.encode(row, columnIndexes: indexes, counters: &counters, into: &writer) else {
            #expect(counters == NormalizationCounters(), "nothing counted for a row left to the layers: \(context)")
            return false
        }
        var want = NormalizationCounters()
        guard case .success(let normalized) = n.normalize(row, counters: &want) else {
            Issue.record("encoded a row the normalizer refuses: \(context)")
            return true
        }
        #expect(counters == want, "counters: \(context)")
        var w = ByteWriter(capacity: 256)
        RecordCodec.encodeFields(normalized.fields, into: &w)
        #expect(encoded.fields.bytes == w.bytes, "bytes: \(context)")
        #expect(encoded.rowversion == normalized.rowversion, "rowversion: \(context)")
        do {
            let event = try NewEvent(source: "s", entity: normalized.entity, keyFields: normalized.keyFields,
                                     rowversion: normalized.rowversion, fields: normalized.fields)
            #expect(encoded.recordID == event.recordID, "record id: \(context)")
            let fromBytes = NewEvent(encodedUpsert: "s", entity: normalized.entity, keyFields: normalized.keyFields,
                                     rowversion: encoded.rowversion, fields: encoded.fields, recordID: encoded.recordID)
            #expect(fromBytes == event, "event: \(context)")
            #expect(fromBytes.fields == event.fields, "fields read back: \(context)")
            #expect(EventIdentity.dataHash(of: fromBytes) == EventIdentity.dataHash(of: event), "data hash: \(context)")
            var a = ByteWriter(capacity: 256), b = ByteWriter(capacity: 256)
            _ = RecordCodec.encodeBody(fromBytes, timeDelta: 5, into: &a)
            _ = RecordCodec.encodeBody(event, timeDelta: 5, into: &b)
            #expect(a.bytes == b.bytes, "body: \(context)")
        } catch {
            Issue.record("the normalized row makes no event: \(error), \(context)")
        }
        return true
    }
}
