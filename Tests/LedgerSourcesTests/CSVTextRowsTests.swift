import LedgerCore
import LedgerLog
import LedgerSources
import LedgerTestKit
import Testing

/// A UTF-8 CSV file's batches hold their records in a ``TextRowBlock``, and the pipeline prepares
/// the rows from it; every change must come out as it does from the changes the block stands for.
@Suite struct CSVTextRowsTests {
    static let header = "sale_id,at,receipt_no,product_code,product_name,qty,price,total,customer"
    static let lines: [[UInt8]] = [
        Array("1,2026-01-01 08:00:24,2026000000001,8930000012839,Item 12839,0.4,2279.35,911.74,C05618".utf8),
        Array("2,2026-01-01 08:00:24,2026000000001,8930000002407,,12,795.94,\"9,551.28\",C05618".utf8),
        Array("3,2026/01/02,2026000000002,89300,\"Milk \"\"fresh\"\"\", 12 ,1.5e2,1800,".utf8),
        Array("4,01-03-2026 10:22,2026000000002,89301,Cà phê sữa,1,\u{00A0}25.50,25.5,C1".utf8),
        [0x35, 0x2C] + Array("2026-03-01T10:22:11+07:00,2026000000003,89302,".utf8) + [0x62, 0xFF, 0x64] + Array(",1,2,2,C2".utf8),
        Array("6,2026-03-01 10:22:11,2026000000003,89303,short".utf8),
        Array("7,2026-03-01 10:22:11,2026000000003,89304,x,1,1,1,C3,extra".utf8),
        Array("8,2026-03-01 10:22:11,2026000000003,89305,x,1,1,1,\"C3\"x".utf8),
        Array("9,2026-03-01 10:22:11,2026000000003,89306,x,1..2,1,1,C3".utf8),
        Array(",2026-03-01 10:22:11,2026000000003,89307,x,1,1,1,C3".utf8),
        Array("11,2026-03-01 10:22:11,2026000000004,89308,\"two\nlines\",1,1,1,C4".utf8),
        Array("12,2026-03-01 10:22:11,2026000000004,89309,\"a\rb\",1,1,1,C4".utf8),
        Array("1,2026-01-01 08:00:24,2026000000001,8930000012839,Item 12839 renamed,0.4,2279.35,911.74,C05618".utf8),
        Array("13,2026-03-01 10:22:11,2026000000005,  89310  ,y,-0.50,3,-1.5,C5".utf8),
    ]

    /// The file: a byte-order mark, then the lines with LF, CRLF and lone-CR endings and a blank line.
    static func file() -> [UInt8] {
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(header.utf8) + [0x0A]
        for (i, line) in lines.enumerated() {
            bytes += line
            bytes += i % 3 == 0 ? [0x0D, 0x0A] : (i % 3 == 1 ? [0x0A] : [0x0D])
            if i == 4 { bytes += [0x0A] }
        }
        return bytes
    }

    /// A source keeps its reader from one batch to the next that starts where it stopped; the
    /// batches are those of a new source opening the file at each cursor, in either encoding.
    @Test(arguments: [CSVReader.Encoding.utf8, .latin1])
    func aKeptReaderReadsAsAReopenedOne(encoding: CSVReader.Encoding) throws {
        let dir = TemporaryDirectory("csv-kept-reader")
        defer { dir.remove() }
        let path = dir.path + "/sales.csv"
        try TestFiles.write(Self.file(), to: path)
        let options = CSVSource.Options(entity: "sales", reader: .init(encoding: encoding, bufferBytes: 48))
        let kept = CSVSource(path: path, mapping: SourceMapping.standardPOS().entity("sales"), options: options)
        var cursor: SourceCursor? = nil
        var batches = 0
        while true {
            let reopened = try CSVSource(path: path, mapping: SourceMapping.standardPOS().entity("sales"), options: options)
                .nextBatch(after: cursor, limit: 3)
            let batch = try kept.nextBatch(after: cursor, limit: 3)
            #expect(batch.changes == reopened.changes)
            #expect(batch.cursor == reopened.cursor)
            batches += 1
            cursor = batch.cursor
            if !batch.hasMore { break }
        }
        #expect(batches == 5)
    }

    @Test(arguments: [(1, 64 << 10), (4, 64 << 10), (1000, 64 << 10), (1000, 48)])
    func rowsPreparedFromTheBlockAsFromTheirChanges(limit: Int, bufferBytes: Int) throws {
        let dir = TemporaryDirectory("csv-text-rows")
        defer { dir.remove() }
        let path = dir.path + "/sales.csv"
        try TestFiles.write(Self.file(), to: path)
        let mapping = SourceMapping.standardPOS(timeZone: "Asia/Ho_Chi_Minh")
        let source = CSVSource(path: path, mapping: mapping.entity("sales"),
                               options: .init(entity: "sales", reader: .init(bufferBytes: bufferBytes)))
        let preparer = try ChangePreparer(mapping: mapping)
        let now = Timestamp(microseconds: 1_700_000_000_000_000)
        var cursor: SourceCursor? = nil
        var all: [PreparedChange] = []
        while true {
            let batch = try source.nextBatch(after: cursor, limit: limit)
            #expect(batch.textRows != nil && batch.listedChanges.isEmpty)
            let fromBlock = preparer.prepare(batch, source: source.name, now: now)
            let fromChanges = preparer.prepare(SourceBatch(changes: batch.changes, cursor: batch.cursor, hasMore: batch.hasMore),
                                               source: source.name, now: now)
            #expect(fromBlock == fromChanges)
            all += fromBlock
            cursor = batch.cursor
            if !batch.hasMore { break }
        }
        var encoded = 0, upserts = 0, letters: [String] = []
        for p in all {
            switch p {
            case .upsert(let e, _, _):
                upserts += 1
                if e.encodedFields != nil { encoded += 1 }
            case .delete: Issue.record("a delete from a CSV file")
            case .failure(let d): letters.append("\(d.position.line ?? 0) \(d.layer)")
            }
        }
        // The lines start on line 2 of the file; line 7 is blank. Bytes that are not UTF-8 are refused
        // (line 6); lines 8-10 cannot be split into the header's nine fields.
        #expect(letters == ["6 strings", "8 source", "9 source", "10 source", "11 numerics", "12 mapping"])
        #expect(upserts == 8)
        // A carriage return in a value takes the layers; the other rows, the one with a line feed in
        // quotes included, are written straight to bytes.
        #expect(encoded == 7)
    }
}
