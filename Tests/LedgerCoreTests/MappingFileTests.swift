import Foundation
import LedgerCore
import LedgerLog
import LedgerTestKit
import Testing

@Suite struct MappingFileTests {
    static let posPath = PackagePaths.root() + "/projections/mappings/pos.json"

    @Test func shippedPOSFileIsTheStandardMapping() throws {
        #expect(try MappingFile.load(path: Self.posPath) == SourceMapping.standardPOS())
        let text = try String(contentsOfFile: Self.posPath, encoding: .utf8)
        #expect(MappingFile.render(.standardPOS()) == text)
    }

    @Test func renderedMappingsParseBack() throws {
        let m = SourceMapping(timeZone: "Europe/Berlin", encoding: .latin1, entities: [
            EntityMapping(entity: "optional", key: ["id"], fields: [FieldMapping(name: "id")], optional: true),
            EntityMapping(entity: "items", table: "ITEM \"TBL\"", key: ["shop", "id"], rowversion: "rv", fields: [
                FieldMapping(name: "shop", column: "SHOP", required: true),
                FieldMapping(name: "id", type: .integer),
                FieldMapping(name: "qty", type: .decimal, defaultValue: "0", minimum: LedgerDecimal("-1.5"), maximum: LedgerDecimal("1e3")),
                FieldMapping(name: "rv", type: .hex),
                FieldMapping(name: "ok", type: .bool, defaultValue: "no"),
            ]),
        ])
        #expect(try MappingFile.parse(MappingFile.render(m)) == m)
    }

    @Test func shorthandsAndComments() throws {
        let m = try MappingFile.parse("""
            {"comment": "shop 7", "timeZone": "+07:00", "entities": {"t": {"key": "id", "fields": {
              "id": "integer", "note": {"comment": "free text"}, "n": {"type": "decimal", "default": 0, "maximum": 10}}}}}
            """)
        #expect(m == SourceMapping(timeZone: "+07:00", entities: [EntityMapping(entity: "t", key: ["id"], fields: [
            FieldMapping(name: "id", type: .integer), FieldMapping(name: "note"),
            FieldMapping(name: "n", type: .decimal, defaultValue: "0", maximum: LedgerDecimal(10)),
        ])]))
    }

    static let broken = """
        {
          "version": 1,
          "timeZone": "Asia/Ho_Chi_Minh",
          "entities": {
            "products": {
              "key": ["product_id"],
              "fields": {"product_id": {"type": "string", "required": true}}
            },
            "sales": {
              "key": ["sale_id"],
              "fields": {
                "sale_id": {"type": "integer", "required": true},
                "qty": {"type": "money"}
              }
            }
          }
        }
        """

    func error(_ text: String) -> MappingError? {
        do {
            _ = try MappingFile.parse(text, file: "pos.json")
            return nil
        } catch { return error }
    }

    @Test func brokenFileNamesLineAndField() {
        let e = error(Self.broken)
        #expect(e?.code == .invalidValue)
        #expect(e?.line == 13)
        #expect(e?.column == 17)   // the "type" member
        #expect(e?.field == "entities.sales.fields.qty.type")
        #expect(e?.description == "pos.json:13: entities.sales.fields.qty.type: unknown type \"money\"; expected one of string, decimal, integer, timestamp, bool, hex")
    }

    @Test func unknownKeysAreErrors() {
        let text = Self.broken.replacingOccurrences(of: "\"money\"", with: "\"decimal\", \"requird\": true")
        #expect(error(text)?.description == "pos.json:13: entities.sales.fields.qty.requird: unknown key \"requird\"; expected one of column, comment, default, maximum, minimum, required, type")
        let top = Self.broken.replacingOccurrences(of: "\"version\": 1,", with: "\"version\": 1, \"timezone\": \"UTC\",")
        #expect(error(top)?.description == "pos.json:2: timezone: unknown key \"timezone\"; expected one of comment, encoding, entities, timeZone, version")
    }

    @Test func semanticErrorsAreLocated() {
        let key = Self.broken.replacingOccurrences(of: "\"money\"", with: "\"decimal\"").replacingOccurrences(of: "[\"sale_id\"]", with: "[\"sale_no\"]")
        #expect(error(key)?.description == "pos.json:10: entities.sales.key: key field \"sale_no\" is not a field of sales")
        let zone = Self.broken.replacingOccurrences(of: "\"money\"", with: "\"decimal\"").replacingOccurrences(of: "Asia/Ho_Chi_Minh", with: "Asia/Saigonn")
        #expect(error(zone)?.code == .unknownTimeZone)
        #expect(error(zone)?.line == 3)
        let def = Self.broken.replacingOccurrences(of: "{\"type\": \"money\"}", with: "{\"type\": \"decimal\",\n \"default\": \"1,2\"}")
        #expect(error(def)?.description == "pos.json:14: entities.sales.fields.qty.default: default \"1,2\" has misplaced thousands separators")
        let wrong = Self.broken.replacingOccurrences(of: "\"money\"", with: "\"decimal\"")
            .replacingOccurrences(of: "\"required\": true},", with: "\"required\": \"yes\"},")
        #expect(error(wrong)?.description == "pos.json:12: entities.sales.fields.sale_id.required: expected true or false")
        let optional = Self.broken.replacingOccurrences(of: "\"money\"", with: "\"decimal\"")
            .replacingOccurrences(of: "\"key\": [\"sale_id\"],", with: "\"key\": [\"sale_id\"], \"optional\": 1,")
        #expect(error(optional)?.description == "pos.json:10: entities.sales.optional: expected true or false")
        #expect(error("{\"entities\": {}}")?.description == "pos.json:1: entities: the mapping has no entities")
        #expect(error("{\"version\": 2, \"entities\": {}}")?.description == "pos.json:1: version: unsupported version; expected 1")
    }

    @Test func syntaxErrorsHaveLineAndColumn() {
        let e = error("{\n  \"entities\": {\n    \"a\": [1,,]\n  }\n}")
        #expect(e?.code == .syntax)
        #expect(e?.line == 3 && e?.column == 13)
        #expect(e?.description == "pos.json:3: not valid JSON: invalid value")
    }

    @Test func missingFileIsUnreadable() {
        #expect(throws: MappingError(.unreadable, field: nil, message: "cannot read /nonexistent/x.json", file: "x.json")) {
            try MappingFile.load(path: "/nonexistent/x.json")
        }
    }
}
