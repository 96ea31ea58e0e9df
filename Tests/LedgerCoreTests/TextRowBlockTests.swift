import LedgerCore
import LedgerLog
import Testing

/// A ``TextRowBlock`` holds a batch's records in one buffer and makes each the change a source
/// would have made one by one.
@Suite struct TextRowBlockTests {
    static func add(_ values: [[UInt8]], line: Int, to block: inout TextRowBlock) -> Bool {
        block.beginRow(Int64(line))
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

    /// A table's rows: numbered by row id, with nulls and blobs, the key from the first column
    /// (a blob key decoded).
    @Test func tableRowsKeepNullsBlobsAndRowIDs() {
        var block = TextRowBlock(entity: "products", columns: ["code", "name", "photo"], source: "pos", table: "products",
                                 numbering: .rowID, keyColumn: 0, keyFromBytes: true)
        block.beginRow(-7)
        Array("P1".utf8).withUnsafeBytes { block.appendValue($0) }
        block.appendNull()
        [UInt8]([0x00, 0x41]).withUnsafeBytes { block.appendBytes($0) }
        var ended = block.endRow()
        #expect(ended)
        block.beginRow(9)
        Array("P2".utf8).withUnsafeBytes { block.appendBytes($0) }
        block.appendNull()
        ended = block.endRow()
        #expect(!ended)
        block.beginRow(9)
        Array("P2".utf8).withUnsafeBytes { block.appendBytes($0) }
        Array("Tea".utf8).withUnsafeBytes { block.appendValue($0) }
        block.appendNull()
        ended = block.endRow()
        #expect(ended)
        func row(_ id: Int64, key: String, _ values: [RawValue]) -> SourceChange {
            .row(SourceRow(entity: "products", position: SourcePosition(source: "pos", table: "products", rowID: id, key: key),
                           columns: ["code", "name", "photo"], values: values))
        }
        #expect(block.changes == [
            row(-7, key: "P1", [.text("P1"), .null, .bytes([0x00, 0x41])]),
            row(9, key: "P2", [.bytes(Array("P2".utf8)), .text("Tea"), .null]),
        ])
    }
}
