import LedgerCore
import LedgerSources
import LedgerTestKit
import Testing

@Suite struct SQLitePOSDatabaseTests {
    func fixture() throws -> POSSQLiteFixture {
        let w = POSSQLiteFixture(directory: TemporaryDirectory("ledger-sqlite-db"))
        try w.sql("""
            CREATE TABLE sales (sale_id TEXT, qty TEXT);
            CREATE INDEX sales_pk ON sales(sale_id);
            CREATE TABLE log_table_sync_change (id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, pk TEXT NOT NULL, op TEXT NOT NULL, change_time TEXT NOT NULL);
            WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1500)
            INSERT INTO sales SELECT CAST(x AS TEXT), CAST(x % 5 AS TEXT) FROM n;
            WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1500)
            INSERT INTO log_table_sync_change (id, table_name, pk, op, change_time) SELECT 2 * x, 'sales', CAST(x AS TEXT), 'U', '2026-01-01 08:00:00' FROM n;
            INSERT INTO sales VALUES ('v1', NULL), ('v2', CAST(X'636166E9' AS TEXT)), ('v3', X'00FF'), ('v4', 12), ('v5', 'café'), ('7', 'again');
            INSERT INTO log_table_sync_change (id, table_name, pk, op, change_time) VALUES (5001, 'sales', 'v1', 'X', '2026-01-01 08:00:00');

            """)
        return w
    }

    @Test func valuesAreTextNullOrBytes() throws {
        let w = try fixture()
        defer { w.remove() }
        let db = try SQLitePOSDatabase(path: w.databasePath)
        #expect(db.label == "sqlite pos.db")
        let rows = try db.rows(of: "sales", columns: ["sale_id", "qty"], afterRowID: 1500, limit: 10)
        #expect(rows.map(\.rowID) == [1501, 1502, 1503, 1504, 1505, 1506])
        #expect(rows.map { $0.values[1] } == [.null, .bytes([0x63, 0x61, 0x66, 0xE9]), .bytes([0x00, 0xFF]), .text("12"), .text("café"), .text("again")])
    }

    /// Rows read straight into a text block are the rows ``SQLitePOSDatabase/rows(of:columns:afterRowID:limit:)``
    /// reads, nulls, blobs, invalid text and numbers included; so are those the protocol's own
    /// implementation adds for a database that reads rows only one way.
    @Test(arguments: [(Int64(0), 2000), (1490, 20), (1500, 3), (1506, 5)])
    func rowsReadIntoABlockAreTheRowsAsRead(after: Int64, limit: Int) throws {
        let w = try fixture()
        defer { w.remove() }
        let db = try SQLitePOSDatabase(path: w.databasePath)
        #expect(db.readsTextRows)
        let columns = ["sale_id", "qty"]
        let rows = try db.rows(of: "sales", columns: columns, afterRowID: after, limit: limit)
        let expected = rows.map { row -> SourceChange in
            let key: String? = switch row.values[0] {
            case .text(let s): s
            case .bytes(let b): String(decoding: b, as: UTF8.self)
            case .null: nil
            }
            return .row(SourceRow(entity: "sales", position: SourcePosition(source: "pos", table: "sales", rowID: row.rowID, key: key),
                                  columns: columns, values: row.values))
        }
        for database in [db, OneWayDatabase(db)] as [any POSDatabase] {
            var block = TextRowBlock(entity: "sales", columns: columns, source: "pos", table: "sales", numbering: .rowID, keyColumn: 0, keyFromBytes: true)
            let last = try database.rows(of: "sales", columns: columns, afterRowID: after, limit: limit, into: &block)
            #expect(last == rows.last?.rowID)
            #expect(block.changes == expected)
        }
    }

    @Test func keyLookupsAndGapRechecksBatchLongLists() throws {
        let w = try fixture()
        defer { w.remove() }
        let db = try SQLitePOSDatabase(path: w.databasePath)
        let keys = (1...1200).map(String.init) + ["7", "nope"]
        let rows = try db.rows(of: "sales", columns: ["sale_id"], keyColumn: "sale_id", keys: keys)
        // 1200 distinct keys, key 7 twice (rowids 7 and 1506). A list this long is looked up half on
        // each of two connections: every row comes once, whichever half found it.
        #expect(rows.count == 1201)
        #expect(rows.filter { $0.values[0] == .text("7") }.map(\.rowID).sorted() == [7, 1506])
        #expect(rows.map(\.rowID).sorted() == (1...1200).map { Int64($0) } + [1506])
        #expect(rows.allSatisfy { row in row.values[0] == .text(row.rowID == 1506 ? "7" : String(row.rowID)) })
        // A failure in either half is the lookup's error, naming the file.
        #expect(throws: SourceError.self) {
            try db.rows(of: "log_table_sync_change", columns: ["pk"], keyColumn: "pk", keys: keys)
        }
        let ids = (1...1500).map { Int64($0) }
        let found = try db.changes(ids: ids)
        #expect(found.map(\.id) == (1...750).map { Int64(2 * $0) })
        #expect(try db.maxChangeID() == 5001)
        let last = try db.changes(after: 2998, limit: 10)
        #expect(last.map(\.id) == [3000, 5001])
        // An op the POS should not write is read as an update.
        #expect(last[1].op == .update)
        #expect(try db.changes(after: 5001, limit: 10).isEmpty)
    }

    @Test func blankKeyCandidatesAreFilteredByTheDatabase() throws {
        let w = try fixture()
        defer { w.remove() }
        try w.sql("""
            INSERT INTO sales VALUES (NULL, '1'), ('', '2'), ('  ', '3'), (' 8', '4'), (CAST(X'C2A0' AS TEXT), '5'), ('é1', '6'),
              (X'09', '7'), ('x', '8');
            """)
        let db = try SQLitePOSDatabase(path: w.databasePath)
        // Rows 1507-1514: every key that is NULL, empty, or starts outside printable ASCII; not "x".
        let all = try db.blankKeyCandidates(of: "sales", columns: ["sale_id", "qty"], keyColumn: "sale_id", afterRowID: 1500, limit: 100)
        #expect(all.rows.map(\.rowID) == [1507, 1508, 1509, 1510, 1511, 1512, 1513])
        #expect(all.highest == 1514)
        #expect(try db.estimatedRowCount(of: "sales") == 1514)
        // At most `limit` rows; the highest row id whatever the page.
        let page = try db.blankKeyCandidates(of: "sales", columns: ["sale_id"], keyColumn: "sale_id", afterRowID: 1500, limit: 3)
        #expect(page.rows.map(\.rowID) == [1507, 1508, 1509])
        #expect(page.highest == 1514)
        let none = try db.blankKeyCandidates(of: "sales", columns: ["sale_id"], keyColumn: "sale_id", afterRowID: 1514, limit: 3)
        #expect(none.rows.isEmpty)
        #expect(none.highest == 1514)
    }
}

/// A database that reads rows one way only: the protocol's own ``POSDatabase/rows(of:columns:afterRowID:limit:into:)``.
final class OneWayDatabase: POSDatabase {
    let base: SQLitePOSDatabase
    init(_ base: SQLitePOSDatabase) { self.base = base }
    var label: String { base.label }
    func maxChangeID() throws(SourceError) -> Int64 { try base.maxChangeID() }
    func changes(after id: Int64, limit: Int) throws(SourceError) -> [ChangeLogEntry] { try base.changes(after: id, limit: limit) }
    func changes(ids: [Int64]) throws(SourceError) -> [ChangeLogEntry] { try base.changes(ids: ids) }
    func rows(of table: String, columns: [String], afterRowID: Int64, limit: Int) throws(SourceError) -> [POSRow] {
        try base.rows(of: table, columns: columns, afterRowID: afterRowID, limit: limit)
    }
    func estimatedRowCount(of table: String) throws(SourceError) -> Int { try base.estimatedRowCount(of: table) }
    func hasTable(_ table: String) throws(SourceError) -> Bool { try base.hasTable(table) }
    func blankKeyCandidates(
        of table: String, columns: [String], keyColumn: String, afterRowID: Int64, limit: Int
    ) throws(SourceError) -> (rows: [POSRow], highest: Int64) {
        try base.blankKeyCandidates(of: table, columns: columns, keyColumn: keyColumn, afterRowID: afterRowID, limit: limit)
    }
    func rows(of table: String, columns: [String], keyColumn: String, keys: [String]) throws(SourceError) -> [POSRow] {
        try base.rows(of: table, columns: columns, keyColumn: keyColumn, keys: keys)
    }
}
