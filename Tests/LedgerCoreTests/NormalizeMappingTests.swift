import LedgerCore
import LedgerLog
import Testing

@Suite struct NormalizeMappingTests {
    static let position = SourcePosition(source: "pos", table: "items", rowID: 1)

    static let items = EntityMapping(entity: "items", table: "ITEM_TBL", key: ["shop", "item_id"], rowversion: "rv", fields: [
        FieldMapping(name: "shop", column: "SHOP_CODE"),
        FieldMapping(name: "item_id", column: "ITEM_NO", type: .integer),
        FieldMapping(name: "name", column: "ITEM_NAME", required: true),
        FieldMapping(name: "qty", column: "QTY", type: .decimal, defaultValue: " 0.00 ", minimum: LedgerDecimal("0"), maximum: LedgerDecimal("1000")),
        FieldMapping(name: "active", column: "ACTIVE", type: .bool, defaultValue: "yes"),
        FieldMapping(name: "rv", column: "ROWVER", type: .integer),
    ])

    func row(_ columns: [String], _ values: [RawValue]) -> SourceRow {
        SourceRow(entity: "items", position: Self.position, columns: columns, values: values)
    }

    @Test func renamesFillsDefaultsAndStampsTheRowversion() throws {
        let n = try Normalizer(mapping: Self.items)
        let r = try n.normalize(row(
            ["ROWVER", "ITEM_NAME", "SHOP_CODE", "ITEM_NO", "EXTRA", "QTY"],
            [.text("17"), .text("Milk "), .text("S1"), .text("0042"), .text("ignored"), .null])).get()
        #expect(r == NormalizedRow(entity: "items", keyFields: ["shop", "item_id"], fields: [
            Field("active", .bool(true)), Field("item_id", .integer(42)), Field("name", .string("Milk")),
            Field("qty", .decimal(LedgerDecimal(0))), Field("rv", .integer(17)), Field("shop", .string("S1")),
        ], rowversion: "17"), "fields in name order")
    }

    @Test func requiredAndKeyFieldsNameTheField() throws {
        let n = try Normalizer(mapping: Self.items)
        let cols = ["SHOP_CODE", "ITEM_NO", "ITEM_NAME"]
        #expect(n.normalize(row(cols, [.text("S1"), .text(" \u{A0}"), .text("Milk")])) == .failure(
            NormalizationFailure(.mapping, field: "item_id", reason: "key field item_id is null")))
        #expect(n.normalize(row(cols, [.text("S1"), .text("1"), .null])) == .failure(
            NormalizationFailure(.mapping, field: "name", reason: "required field name is null")))
        #expect(n.normalize(row(["ITEM_NO", "ITEM_NAME"], [.text("1"), .text("x")])) == .failure(
            NormalizationFailure(.mapping, field: "shop", reason: "key field shop is missing: the row has no column \"SHOP_CODE\"")))
        #expect(n.normalize(row(cols + ["QTY"], [.text("S1"), .text("1"), .text("x"), .text("1001")])) == .failure(
            NormalizationFailure(.numerics, field: "qty", reason: "\"1001\" is above the maximum 1000")))
        let other = SourceRow(entity: "sales", position: Self.position, columns: [], values: [])
        #expect(n.normalize(other) == .failure(
            NormalizationFailure(.mapping, field: nil, reason: "a row of sales given to the normalizer of items")))
    }

    @Test func deleteKeysAreTypedLikeRowKeys() throws {
        let n = try Normalizer(mapping: Self.items)
        let key = try n.normalizeKey(columns: ["ITEM_NO", "SHOP_CODE"], values: [.text("1.2e1"), .text(" S1")]).get()
        #expect(key == [Field("shop", .string("S1")), Field("item_id", .integer(12))])
        let full = try n.normalize(row(["SHOP_CODE", "ITEM_NO", "ITEM_NAME"], [.text("S1"), .text("12"), .text("x")])).get()
        let rowKey = EventIdentity.canonicalKey(op: .upsert, source: "pos", keyFields: full.keyFields) { name in
            full.fields.first { $0.name == name }?.value
        }
        let deleteKey = EventIdentity.canonicalKey(op: .delete, source: "pos", keyFields: full.keyFields) { name in
            key.first { $0.name == name }?.value
        }
        #expect(rowKey == deleteKey)
        #expect(n.normalizeKey(columns: ["ITEM_NO"], values: [.text("12")]) == .failure(
            NormalizationFailure(.mapping, field: "shop", reason: "key field shop is missing: the row has no column \"SHOP_CODE\"")))
    }

    @Test func countersPerLayer() throws {
        let n = try Normalizer(mapping: Self.items)
        var c = NormalizationCounters()
        let cols = ["SHOP_CODE", "ITEM_NO", "ITEM_NAME", "QTY", "ACTIVE", "ROWVER"]
        _ = n.normalize(row(cols, [.text("S1"), .text("1"), .text("x"), .text("1,000"), .text("true"), .text("1")]), counters: &c)
        _ = n.normalize(row(cols, [.text(" S1"), .text("2"), .text("y"), .null, .text("N"), .text("2")]), counters: &c)
        _ = n.normalize(row(cols, [.text("S1"), .text("3"), .text("z"), .text("1..2"), .null, .null]), counters: &c)
        #expect(c.rows == 3 && c.rejectedRows == 1)
        // Row 1: 6 fields, none changed except qty (numerics). Row 2: default for qty (mapping), trimmed shop,
        // "N" → false (coercion). Row 3: stops at qty.
        #expect(c.mapping == .init(processed: 6 + 6 + 4, changed: 1, rejected: 0))
        #expect(c.strings == .init(processed: 6 + 5 + 4, changed: 1, rejected: 0))
        #expect(c.coercion == .init(processed: 6 + 5 + 4, changed: 1, rejected: 0))
        #expect(c.numerics == .init(processed: 3 + 2 + 2, changed: 1, rejected: 1))
        #expect(c.datetime == .init())
        var total = NormalizationCounters()
        total += c
        total += c
        #expect(total.rows == 6 && total[.numerics].processed == 14)
    }

    @Test func theColumnPlanFollowsTheColumnArray() throws {
        let n = try Normalizer(mapping: Self.items)
        let a = ["SHOP_CODE", "ITEM_NO", "ITEM_NAME"], b = ["ITEM_NAME", "ITEM_NO", "SHOP_CODE"]
        #expect(n.mappingLayer.columnIndexes(for: a) == [0, 1, 2, -1, -1, -1])
        #expect(n.mappingLayer.columnIndexes(for: b) == [2, 1, 0, -1, -1, -1])
        #expect(n.mappingLayer.columnIndexes(for: a) == [0, 1, 2, -1, -1, -1])
        for cols in [a, b] {
            let values: [RawValue] = cols.map { $0 == "ITEM_NO" ? .text("5") : .text($0) }
            let fields = try n.normalize(row(cols, values)).get().fields
            #expect(["shop", "item_id", "name"].map { name in fields.first { $0.name == name }?.value } == [.string("SHOP_CODE"), .integer(5), .string("ITEM_NAME")])
        }
    }

    @Test func inconsistentMappingsAreRefused() {
        func error(_ fields: [FieldMapping], key: [String] = ["id"], rowversion: String? = nil) -> MappingError? {
            do {
                _ = try Normalizer(mapping: EntityMapping(entity: "e", key: key, rowversion: rowversion, fields: fields))
                return nil
            } catch { return error }
        }
        let id = FieldMapping(name: "id")
        #expect(error([id], key: ["nope"]) == MappingError(.unknownField, field: "entities.e.key", message: "key field \"nope\" is not a field of e"))
        #expect(error([id], key: []) == MappingError(.invalidValue, field: "entities.e.key", message: "the key names no field"))
        #expect(error([id, id]) == MappingError(.duplicate, field: "entities.e.fields.id", message: "field \"id\" is declared twice"))
        #expect(error([id], rowversion: "rv") == MappingError(.unknownField, field: "entities.e.rowversion", message: "rowversion field \"rv\" is not a field of e"))
        #expect(error([id, FieldMapping(name: "n", type: .integer, defaultValue: "x")]) == MappingError(
            .invalidValue, field: "entities.e.fields.n.default", message: "default \"x\" is not a number"))
        #expect(error([id, FieldMapping(name: "s", minimum: LedgerDecimal(1))]) == MappingError(
            .invalidValue, field: "entities.e.fields.s.minimum", message: "bounds apply only to decimal and integer fields, not string"))
        #expect(error([id, FieldMapping(name: "q", type: .decimal, minimum: LedgerDecimal(5), maximum: LedgerDecimal(1))]) == MappingError(
            .invalidValue, field: "entities.e.fields.q.maximum", message: "maximum 1 is below minimum 5"))
    }
}
