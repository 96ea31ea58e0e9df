import LedgerLog
import Testing

/// The canonical text of values (SPEC §3.2) and canonical keys, bk_hash and record ids (SPEC §4).
@Suite struct CanonicalKeyTests {
    @Test(arguments: [
        (FieldValue.null, ""),
        (.bool(false), "false"),
        (.bool(true), "true"),
        (.integer(-12), "-12"),
        (.integer(Int64.min), "-9223372036854775808"),
        (.decimal(LedgerDecimal("1250.50")!), "1250.5"),
        (.string("a|b=c\\d"), "a|b=c\\d"),
        (.string(""), ""),
        (.timestamp(Timestamp(microseconds: 1_767_254_413_000_000)), "2026-01-01T08:00:13.000000Z"),
        (.bytes([0x00, 0xFF, 0x10, 0xAB]), "00ff10ab"),
        (.bytes([]), ""),
        (.json(#"{"a":[1,2.5]}"#), #"{"a":[1,2.5]}"#),
        (.sealed(keyID: "subject-42", ciphertext: [1, 2, 3]), "sealed:subject-42"),
    ])
    func canonicalTextOfEachValueType(value: FieldValue, text: String) {
        #expect(value.canonicalText == text)
    }

    @Test func canonicalKeyJoinsKeyFieldsInDeclaredOrder() throws {
        let e = try NewEvent(source: "pos", entity: "sales", keyFields: ["receipt_no", "line"],
                             fields: [Field("line", .decimal(LedgerDecimal(2))), Field("receipt_no", .string("2026000000001")),
                                      Field("qty", .integer(5))])
        #expect(EventIdentity.canonicalKey(of: e) == "receipt_no=2026000000001|line=2")
        var bytes = Array("sales".utf8) + [0] + Array("receipt_no=2026000000001|line=2".utf8)
        #expect(e.recordID == XXH128.hash(bytes))
        #expect(EventIdentity.recordID(entity: "sales", canonicalKey: "receipt_no=2026000000001|line=2") == XXH128.hash(bytes))
        bytes = Array("receipt_no=2026000000001|line=2".utf8)
        #expect(EventIdentity.bkHash(canonicalKey: "receipt_no=2026000000001|line=2") == XXH128.hash(bytes))
    }

    @Test func separatorsInsideNamesAndValuesAreEscaped() throws {
        let e = try NewEvent(source: "s", entity: "e", keyFields: ["a|b", "c"],
                             fields: [Field("a|b", .string("x=y\\z")), Field("c", .string("|"))])
        #expect(EventIdentity.canonicalKey(of: e) == #"a\|b=x\=y\\z|c=\|"#)
        let checkpoint = try NewEvent.checkpoint(source: "p|s=\\", entity: "e", fields: [Field("w", .integer(1))])
        #expect(EventIdentity.canonicalKey(of: checkpoint) == #"source=p\|s\=\\"#)
    }

    @Test func distinctKeysNeverShareACanonicalKey() throws {
        let one = try NewEvent(source: "s", entity: "e", keyFields: ["a", "b"], fields: [Field("a", .string("1|b=2")), Field("b", .string("3"))])
        let two = try NewEvent(source: "s", entity: "e", keyFields: ["a", "b"], fields: [Field("a", .string("1")), Field("b", .string("2|b=3"))])
        #expect(EventIdentity.canonicalKey(of: one) != EventIdentity.canonicalKey(of: two))
        #expect(one.recordID != two.recordID)
    }
}
