import LedgerCore
import LedgerSources
import LedgerTestKit
import Synchronization
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Backfill streaming speed over a sales table (50,000 rows; `LEDGER_BENCH_ROWS` sets another
/// size, e.g. 1000000 with `swift test -c release --filter SQLiteThroughputTests`).
@Suite struct SQLiteThroughputTests {
    static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    @Test func backfillStreamsEveryRow() throws {
        let count = getenv("LEDGER_BENCH_ROWS").flatMap { Int(String(cString: $0)) } ?? 50_000
        let w = POSSQLiteFixture(directory: TemporaryDirectory("ledger-pos-speed"))
        defer { w.remove() }
        var schema = ""
        for e in SourceMapping.standardPOS().entities {
            schema += "CREATE TABLE \(e.table) (\(e.fields.map { "\($0.column) TEXT" }.joined(separator: ", ")));\n"
            schema += "CREATE INDEX \(e.table)_pk ON \(e.table)(\(e.keyColumns[0]));\n"
        }
        schema += """
            CREATE TABLE log_table_sync_change (id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, pk TEXT NOT NULL, op TEXT NOT NULL, change_time TEXT NOT NULL);
            WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < \(count))
            INSERT INTO sales SELECT CAST(x AS TEXT), '2026-01-01 08:00:' || (x % 60), CAST(2026000000000 + x / 4 AS TEXT),
                '893' || printf('%010d', x % 20000), 'Item ' || (x % 20000), CAST(x % 7 + 1 AS TEXT), '12.50', '1,250.00',
                CASE WHEN x % 3 = 0 THEN '' ELSE 'C' || (x % 40000) END FROM n;

            """
        try w.sql(schema)

        let db = try SQLitePOSDatabase(path: w.databasePath)
        let columns = SourceMapping.standardPOS().entity("sales")!.fields.map(\.column)
        // The database layer alone.
        var start = Self.seconds()
        var after: Int64 = 0, read = 0
        while true {
            let rows = try db.rows(of: "sales", columns: columns, afterRowID: after, limit: 10_000)
            read += rows.count
            guard let last = rows.last else { break }
            after = last.rowID
        }
        let dbRate = Double(read) / (Self.seconds() - start)
        #expect(read == count)

        // Through the source, as the pipeline drains it.
        let source = POSChangeLogSource(database: db, clock: SourceClock { 1_800_000_000 }, logger: Logger(label: "test"))
        start = Self.seconds()
        var cursor: SourceCursor? = nil
        var delivered = 0
        while true {
            let b = try source.nextBatch(after: cursor, limit: 10_000)
            delivered += b.changes.count
            cursor = b.cursor
            if !b.hasMore { break }
        }
        let sourceRate = Double(delivered) / (Self.seconds() - start)
        #expect(delivered == count)
        print("SQLite backfill of \(count) sales rows: database \(Int(dbRate)) rows/s, source \(Int(sourceRate)) rows/s")
    }
}
