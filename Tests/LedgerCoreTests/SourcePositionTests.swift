import LedgerCore
import Testing

@Suite struct SourcePositionTests {
    @Test func namesEveryPartThatIsKnown() {
        #expect(SourcePosition(source: "csv", table: "sales.csv", line: 17).description == "csv sales.csv line 17")
        let p = SourcePosition(source: "pos", table: "sales", rowID: 5, changeID: 123, key: "17")
        #expect(p.description == "pos sales rowid 5 key \"17\" change 123")
    }

    @Test func rowValuesAreFoundByColumn() {
        let row = SourceRow(
            entity: "sales", position: SourcePosition(source: "csv", table: "s.csv", line: 2),
            columns: ["sale_id", "qty"], values: [.text("1"), .null])
        #expect(row.value("sale_id") == .text("1"))
        #expect(row.value("qty") == .null)
        #expect(row.value("nope") == nil)
    }
}
