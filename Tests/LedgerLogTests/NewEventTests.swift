import LedgerLog
import Testing

/// Building events to append: the record rules of SPEC §3 (names, keys, checkpoints).
@Suite struct NewEventTests {
    @Test func fieldsAreSortedByTheirUTF8Bytes() throws {
        let e = try NewEvent(source: "s", entity: "e", keyFields: ["b"],
                             fields: ["b", "a", "é", "z", "E", "😀", "ｅ", ""].map { Field($0, .integer(1)) })
        #expect(e.fields.map(\.name) == ["", "E", "a", "b", "z", "é", "ｅ", "😀"])
    }

    /// The normalizer's initializer skips the checks and finds the key fields by position: it must
    /// give the same event, record id and data hash as the public one, for keys in any order, key
    /// text that needs escaping, and fields too large for the data hash's stack buffer.
    @Test func theNormalizersInitializerBuildsTheSameEvent() throws {
        let big = String(repeating: "x", count: 5000)
        let fields = [
            Field("a", .string("k|1=\\")), Field("b", .decimal(LedgerDecimal("1250.00")!)), Field("c", .string(big)),
            Field("d", .timestamp(Timestamp(microseconds: 1_700_000_000_000_000))), Field("e", .integer(-7)), Field("f", .null),
        ]
        for (keys, positions) in [(["e", "a"], [4, 0]), (["d"], [3]), (["b", "c", "a"], [1, 2, 0])] {
            for fields in [fields, Array(fields.prefix(2)) + Array(fields.suffix(3))] {
                let positions = positions.map { p in fields.firstIndex { $0.name == ["a", "b", "c", "d", "e", "f"][p] } }
                guard positions.allSatisfy({ $0 != nil }) else { continue }
                let checked = try NewEvent(source: "pos", entity: "sales", keyFields: keys, rowversion: "7", fields: fields)
                let fast = NewEvent(normalizedUpsert: "pos", entity: "sales", keyFields: keys, keyPositions: positions.map { $0! },
                                    rowversion: "7", sortedFields: fields)
                #expect(fast == checked)
                #expect(fast.recordID == checked.recordID)
                #expect(fast.recordID == EventIdentity.recordID(entity: "sales", canonicalKey: EventIdentity.canonicalKey(of: checked)))
                var w = ByteWriter(capacity: 64)
                RecordCodec.encodeFields(fields, into: &w)
                #expect(EventIdentity.dataHash(of: fast) == w.bytes.withUnsafeBytes { RecordCodec.dataHash($0) })
            }
        }
        // Integer keys are written digit by digit, without their canonical String.
        for i: Int64 in [0, 7, -1, 10, 1_000_000_007, .max, .min] {
            let fields = [Field("id", .integer(i))]
            let fast = NewEvent(normalizedUpsert: "pos", entity: "sales", keyFields: ["id"], keyPositions: [0], rowversion: nil,
                                sortedFields: fields)
            #expect(fast.recordID == EventIdentity.recordID(entity: "sales", canonicalKey: "id=\(i)"))
        }
    }

    @Test func theRecordRulesAreEnforced() {
        #expect(throws: EventError(.duplicateField, field: "a")) {
            try NewEvent(source: "s", entity: "e", keyFields: ["a"], fields: [Field("a", .integer(1)), Field("a", .integer(2))])
        }
        #expect(throws: EventError(.missingKey, field: nil)) {
            try NewEvent(source: "s", entity: "e", keyFields: [], fields: [Field("a", .integer(1))])
        }
        #expect(throws: EventError(.missingKey, field: nil)) {
            try NewEvent(op: .delete, source: "s", entity: "e", keyFields: [], fields: [Field("a", .integer(1))])
        }
        #expect(throws: EventError(.keyFieldMissing, field: "b")) {
            try NewEvent(source: "s", entity: "e", keyFields: ["a", "b"], fields: [Field("a", .integer(1))])
        }
        #expect(throws: EventError(.keyFieldNull, field: "a")) {
            try NewEvent(source: "s", entity: "e", keyFields: ["a"], fields: [Field("a", .null)])
        }
        #expect(throws: EventError(.duplicateField, field: "a")) {
            try NewEvent(source: "s", entity: "e", keyFields: ["a", "a"], fields: [Field("a", .integer(1))])
        }
        #expect(throws: EventError(.checkpointHasKey, field: "a")) {
            try NewEvent(op: .checkpoint, source: "s", entity: "e", keyFields: ["a"], fields: [Field("a", .integer(1))])
        }
        #expect((try? NewEvent.checkpoint(source: "s", fields: [])) != nil)
        #expect((try? NewEvent(source: "s", entity: "e", keyFields: ["k"], fields: [Field("k", .string(""))])) != nil,
                "an empty string is a value, not null")
    }

    /// "é" as one scalar (C3 A9) and as e + combining acute (65 CC 81) are different names by their
    /// UTF-8 bytes, which is how SPEC §3 compares field names; Swift's `==` calls them equal.
    @Test func fieldNamesThatAreCanonicallyEquivalentButDifferInBytesAreDistinct() throws {
        let composed = "\u{E9}", decomposed = "e\u{301}"
        let e = try NewEvent(source: "s", entity: "e", keyFields: [composed],
                             fields: [Field(composed, .integer(1)), Field(decomposed, .integer(2))])
        #expect(e.fields.map { Array($0.name.utf8) } == [Array(decomposed.utf8), Array(composed.utf8)])
        #expect(EventIdentity.canonicalKey(of: e).utf8.elementsEqual("\u{E9}=1".utf8), "the key takes the value of the composed name")
    }

    @Test func aKeyFieldMustMatchAFieldNameByteForByte() {
        #expect(throws: EventError(.keyFieldMissing, field: "\u{E9}")) {
            try NewEvent(source: "s", entity: "e", keyFields: ["\u{E9}"], fields: [Field("e\u{301}", .integer(1))])
        }
    }
}
