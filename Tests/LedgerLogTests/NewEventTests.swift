import LedgerLog
import Testing

/// Building events to append: the record rules of SPEC §3 (names, keys, checkpoints).
@Suite struct NewEventTests {
    @Test func fieldsAreSortedByTheirUTF8Bytes() throws {
        let e = try NewEvent(source: "s", entity: "e", keyFields: ["b"],
                             fields: ["b", "a", "é", "z", "E", "😀", "ｅ", ""].map { Field($0, .integer(1)) })
        #expect(e.fields.map(\.name) == ["", "E", "a", "b", "z", "é", "ｅ", "😀"])
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
