import LedgerLog
import Testing

/// Records decoded through one ``RecordCodec/DecodeCache`` (as a batch is) decode exactly as each
/// decoded alone, whether their header strings repeat, differ in one byte, or come back later.
@Suite struct DecodeCacheTests {
    static func body(_ e: NewEvent) -> [UInt8] {
        var w = ByteWriter()
        _ = RecordCodec.encodeBody(e, timeDelta: 7, into: &w)
        return w.bytes
    }

    @Test func aSharedCacheDecodesEveryRecordAsAFreshOne() throws {
        let shapes: [NewEvent] = try [
            NewEvent(source: "pos", entity: "sales", keyFields: ["sale_id"], fields: [Field("sale_id", .integer(1)), Field("total", .string("1.50"))]),
            NewEvent(source: "pos", entity: "sales", keyFields: ["sale_id"], fields: [Field("sale_id", .integer(2)), Field("total", .string("2.50"))]),
            NewEvent(source: "pos", entity: "sales", keyFields: ["sale_id"], fields: [Field("sale_id", .integer(3)), Field("totam", .string("x"))]),
            NewEvent(source: "pos", entity: "sale5", keyFields: ["sale_id"], fields: [Field("sale_id", .integer(4)), Field("total", .null)]),
            NewEvent(source: "pôs", entity: "sales", keyFields: ["sale_id", "total"], fields: [Field("sale_id", .integer(5)), Field("total", .string("é"))]),
            NewEvent(op: .delete, source: "pos", entity: "sales", keyFields: ["sale_id"], fields: [Field("sale_id", .integer(6))]),
            NewEvent(source: "pos", entity: "sales", keyFields: ["sale_id"], fields: [Field("sale_id", .integer(7)), Field("total", .string("7"))]),
        ]
        var cache = RecordCodec.DecodeCache()
        for (i, e) in (shapes + shapes.reversed()).enumerated() {
            let bytes = Self.body(e)
            let shared = try bytes.withUnsafeBytes { b in
                try RecordCodec.decode(body: b, offset: UInt64(i), batchFirstTime: 100, hash: .zero, cache: &cache)
            }
            let fresh = try bytes.withUnsafeBytes { b in try RecordCodec.decode(body: b, offset: UInt64(i), batchFirstTime: 100, hash: .zero) }
            #expect(shared == fresh)
            #expect(shared.entity == e.entity && shared.source == e.source && shared.keyFields == e.keyFields)
            #expect(shared.fields.map(\.name) == e.fields.map(\.name))
        }
    }

    @Test func namesOutOfOrderAreRejectedAfterACachedRecord() throws {
        let good = try NewEvent(source: "pos", entity: "sales", keyFields: ["a"], fields: [Field("a", .integer(1)), Field("b", .integer(2))])
        var bad = Self.body(good)
        // Swap the one-byte field names "a" and "b" (their last occurrences) in place: same bytes
        // length, now descending.
        let a = try #require(bad.lastIndex(of: UInt8(ascii: "a")))
        let b = try #require(bad.lastIndex(of: UInt8(ascii: "b")))
        #expect(a < b)
        bad.swapAt(a, b)
        var cache = RecordCodec.DecodeCache()
        _ = try Self.body(good).withUnsafeBytes { b in
            try RecordCodec.decode(body: b, offset: 0, batchFirstTime: 0, hash: .zero, cache: &cache)
        }
        #expect(throws: FormatError.self) {
            try bad.withUnsafeBytes { b in try RecordCodec.decode(body: b, offset: 1, batchFirstTime: 0, hash: .zero, cache: &cache) }
        }
    }
}
