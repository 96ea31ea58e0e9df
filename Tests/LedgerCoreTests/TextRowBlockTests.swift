import LedgerCore
import LedgerLog
import Testing

/// A ``TextRowBlock`` holds a batch's records in one buffer and makes each the change a source
/// would have made one by one.
@Suite struct TextRowBlockTests {
    static func add(_ values: [[UInt8]], line: Int, to block: inout TextRowBlock) -> Bool {
        block.beginRow(line: line)
        for v in values { v.withUnsafeBytes { block.appendValue($0) } }
        return block.endRow()
    }

    @Test func recordsComeBackAsTheChangesTheyStandFor() {
        var block = TextRowBlock(entity: "sales", columns: ["id", "name"], source: "csv:s.csv", table: "s.csv", keyColumn: 0)
        #expect(Self.add([Array("1".utf8), Array("Café".utf8)], line: 2, to: &block))
        // A row of another width is taken back whole.
        #expect(!Self.add([Array("2".utf8)], line: 3, to: &block))
        #expect(!Self.add([Array("2".utf8), Array("a".utf8), Array("b".utf8)], line: 3, to: &block))
        let bad = SourceMalformed(entity: "sales", position: SourcePosition(source: "csv:s.csv", table: "s.csv", line: 3), raw: "2", reason: "1 fields, the header has 2")
        block.appendMalformed(bad)
        // Bytes that are not UTF-8 stay bytes; an empty value is empty text.
        #expect(Self.add([Array("3".utf8), [0x66, 0xFF]], line: 4, to: &block))
        #expect(Self.add([[], []], line: 5, to: &block))
        #expect(block.count == 4)

        func row(_ line: Int, key: String?, _ values: [RawValue]) -> SourceChange {
            .row(SourceRow(entity: "sales", position: SourcePosition(source: "csv:s.csv", table: "s.csv", line: line, key: key),
                           columns: ["id", "name"], values: values))
        }
        #expect(block.changes == [
            row(2, key: "1", [.text("1"), .text("Café")]),
            .malformed(bad),
            row(4, key: "3", [.text("3"), .bytes([0x66, 0xFF])]),
            row(5, key: "", [.text(""), .text("")]),
        ])
        #expect(block.change(1) == .malformed(bad))
        // A batch of the block lists the same changes, after any it lists itself.
        let batch = SourceBatch(textRows: block, cursor: SourceCursor(), hasMore: false)
        #expect(batch.count == 4)
        #expect(batch.changes == block.changes)
        #expect(batch.listedChanges.isEmpty)
    }
}
