import GRDB
import GRDBSQLite

/// Inserts a collection of rows through one multi-row `INSERT` per chunk of rows (the tail one row
/// at a time): a bulk load steps and resets a statement once per chunk instead of once per row.
struct BulkInsert {
    private let chunk: RawStatement
    private let single: RawStatement
    private let columns: Int
    private let rowsPerChunk: Int

    /// - Parameters:
    ///   - head: the statement up to `VALUES`, e.g. `INSERT INTO t (a, b) VALUES`.
    ///   - tail: what follows the rows, e.g. an `ON CONFLICT` clause.
    init(_ db: Database, _ head: String, tail: String = "", columns: Int, rowsPerChunk: Int = 128) throws {
        let limit = Int(sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_VARIABLE_NUMBER, -1))
        self.columns = columns
        self.rowsPerChunk = max(1, min(rowsPerChunk, limit / columns))
        let tuple = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        chunk = RawStatement(try db.makeStatement(sql: head + " " + Array(repeating: tuple, count: self.rowsPerChunk).joined(separator: ", ") + " " + tail))
        single = RawStatement(try db.makeStatement(sql: head + " " + tuple + " " + tail))
    }

    /// Inserts `rows`; `bind` binds one row's values from parameter `first` on.
    func insert<Rows: Collection>(_ rows: Rows, bind: (RawStatement, _ first: Int32, Rows.Element) -> Void) throws {
        var i = rows.startIndex
        var remaining = rows.count
        while remaining >= rowsPerChunk {
            for k in 0..<rowsPerChunk {
                bind(chunk, Int32(k * columns + 1), rows[i])
                rows.formIndex(after: &i)
            }
            try chunk.execute()
            remaining -= rowsPerChunk
        }
        while i != rows.endIndex {
            bind(single, 1, rows[i])
            try single.execute()
            rows.formIndex(after: &i)
        }
    }
}
