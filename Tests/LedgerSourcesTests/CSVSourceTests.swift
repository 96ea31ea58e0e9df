import LedgerCore
import LedgerSources
import LedgerTestKit
import Testing

@Suite struct CSVSourceTests {
    /// All batches from `cursor` until the source says it has no more.
    func drain(_ source: CSVSource, from cursor: SourceCursor?, limit: Int) throws -> [SourceBatch] {
        var out: [SourceBatch] = []
        var c = cursor
        while true {
            let b = try source.nextBatch(after: c, limit: limit)
            out.append(b)
            c = b.cursor
            if !b.hasMore { return out }
        }
    }

    @Test func generatedSalesFileRowsAndMalformedLinesAreExact() throws {
        let w = try POSSQLiteFixture.generate(products: 300, receipts: 2000, sales: 6000)
        defer { w.remove() }
        let expected = try w.csv("sales.csv")
        #expect(expected.count == 6000)
        // Two bad lines appended: a short one (line 6002) and a broken quote (line 6003).
        let path = w.path + "/sales.csv"
        var bytes = try TestFiles.read(path)
        bytes += Array("999999,2026-01-01\n\"1000000\"x,a,b,c,d,e,f,g,h\n".utf8)
        try TestFiles.write(bytes, to: path)

        let mapping = SourceMapping.standardPOS().entity("sales")
        let source = CSVSource(path: path, mapping: mapping, options: .init(entity: "sales"))
        let batches = try drain(source, from: nil, limit: 1000)
        let changes = batches.flatMap(\.changes)
        let rows = changes.compactMap { if case .row(let r) = $0 { r } else { nil } }
        let bad = changes.compactMap { if case .malformed(let m) = $0 { m } else { nil } }
        #expect(rows.count == 6000)
        #expect(bad.count == 2)
        #expect(bad.map(\.position.line) == [6002, 6003])
        #expect(bad[0].raw == "999999,2026-01-01")
        #expect(bad[0].reason == "2 fields, the header has 9")
        #expect(bad[1].raw == "\"1000000\"x,a,b,c,d,e,f,g,h")
        #expect(bad.allSatisfy { $0.entity == "sales" && $0.position.table == "sales.csv" })
        // Every row is the file's row, with its header names and line.
        for (i, row) in rows.enumerated() {
            #expect(row.entity == "sales")
            #expect(row.position.line == i + 2)
            for (column, value) in expected[i] where row.value(column) != .text(value) {
                Issue.record("line \(i + 2) \(column): \(String(describing: row.value(column))) != \(value)")
            }
        }
        #expect(rows.map(\.position.key) == expected.map { $0["sale_id"] })
        #expect(batches.last?.completedSnapshots == [])
        #expect(batches.last?.cursor["done"] == "true")
        #expect(batches.count == 7)
    }

    /// Each batch but the last estimates the records left from the bytes left, at its own bytes per
    /// record, so the delta state can make room for a whole file at once.
    @Test func batchesEstimateTheRecordsLeftInTheFile() throws {
        let w = try POSSQLiteFixture.generate(products: 300, receipts: 2000, sales: 6000)
        defer { w.remove() }
        let source = CSVSource(path: w.path + "/sales.csv", mapping: SourceMapping.standardPOS().entity("sales"), options: .init(entity: "sales"))
        let batches = try drain(source, from: nil, limit: 1000)
        #expect(batches.count == 7)
        var delivered = 0
        for b in batches.dropLast() {
            delivered += b.changes.count
            let estimate = try #require(b.estimatedRemaining)
            let left = 6000 - delivered
            #expect(abs(estimate - left) <= left / 10 + 50, "estimated \(estimate) of \(left) records left")
        }
        #expect(batches.last?.estimatedRemaining == nil)
    }

    @Test func resumesMidFileAndACompletedFileYieldsNothing() throws {
        let dir = TemporaryDirectory("csv-source")
        defer { dir.remove() }
        let path = dir.path + "/sales.csv"
        var text = "sale_id,qty\n"
        for i in 1...25 { text += i == 13 ? "13,\"1\n0\"\n" : "\(i),\(i)\n" }
        try TestFiles.write(Array(text.utf8), to: path)
        let source = CSVSource(path: path, options: .init(entity: "sales", complete: true))
        let batches = try drain(source, from: nil, limit: 4)
        let all = batches.flatMap(\.changes)
        #expect(all.count == 25)
        #expect(batches.count == 7)
        #expect(batches.last?.completedSnapshots == ["sales"])
        #expect(batches.dropLast().allSatisfy { $0.completedSnapshots.isEmpty && $0.hasMore })
        // Resuming from every cursor delivers exactly the rest.
        for i in batches.indices {
            let rest = try drain(source, from: batches[i].cursor, limit: 4).flatMap(\.changes)
            #expect(rest == Array(batches[(i + 1)...].flatMap(\.changes)))
        }
        // Done: nothing more, and no second snapshot completion.
        let again = try source.nextBatch(after: batches.last?.cursor, limit: 4)
        #expect(again.changes.isEmpty && !again.hasMore && again.completedSnapshots.isEmpty)
        // The file changes: read again from its start.
        try TestFiles.write(Array((text + "26,26\n").utf8), to: path)
        let changed = try drain(source, from: batches.last?.cursor, limit: 100).flatMap(\.changes)
        #expect(changed.count == 26)
        guard case .row(let first) = changed.first else { Issue.record("not a row"); return }
        #expect(first.position.line == 2)
        guard case .row(let multi) = all[12] else { Issue.record("not a row"); return }
        #expect(multi.values == [.text("13"), .text("1\n0")])
        #expect(multi.position.line == 14)
        guard case .row(let after) = all[13] else { Issue.record("not a row"); return }
        #expect(after.position.line == 16)
    }

    @Test func headerWithoutTheKeyIsBadSchema() throws {
        let dir = TemporaryDirectory("csv-source")
        defer { dir.remove() }
        let path = dir.path + "/x.csv"
        try TestFiles.write(Array("id;qty\n1;2\n".utf8), to: path)
        let source = CSVSource(path: path, mapping: SourceMapping.standardPOS().entity("sales"),
                               options: .init(entity: "sales", reader: .init(delimiter: UInt8(ascii: ";"))))
        do {
            _ = try source.nextBatch(after: nil, limit: 10)
            Issue.record("no error")
        } catch {
            #expect(error.code == .badSchema)
            #expect(error.context == "csv x.csv")
        }
    }
}
