public import LedgerCore

/// The queries the POS change-log source needs from a point-of-sale database with the standard
/// change-log table. SQLite and MariaDB implement it; the source's logic (backfill, polling, gaps,
/// overlap) is written once, above it.
public protocol POSDatabase: AnyObject {
    /// Names the database without secrets, e.g. `sqlite pos.db` or `mariadb 127.0.0.1:3306/pos`.
    var label: String { get }
    /// The highest change-log id now (0 when empty).
    func maxChangeID() throws(SourceError) -> Int64
    /// Change-log entries with `id > after`, in id order, at most `limit`.
    func changes(after id: Int64, limit: Int) throws(SourceError) -> [ChangeLogEntry]
    /// Change-log entries with the given ids (re-checking gaps), in id order.
    func changes(ids: [Int64]) throws(SourceError) -> [ChangeLogEntry]
    /// Rows of `table` with row id `> afterRowID`, in row id order, at most `limit`.
    func rows(of table: String, columns: [String], afterRowID: Int64, limit: Int) throws(SourceError) -> [POSRow]
    /// Whether ``rows(of:columns:afterRowID:limit:into:)`` reads the rows straight into the block,
    /// with no string or array per row; a backfill then reads through it.
    var readsTextRows: Bool { get }
    /// ``rows(of:columns:afterRowID:limit:)`` added to `block` (numbered by row id); returns the last
    /// row id read, nil when there is none.
    func rows(of table: String, columns: [String], afterRowID: Int64, limit: Int, into block: inout TextRowBlock) throws(SourceError) -> Int64?
    /// Whether the database has a table (or view) named `table`.
    func hasTable(_ table: String) throws(SourceError) -> Bool
    /// About how many rows `table` holds, as the database can tell cheaply (SQLite counts them;
    /// MariaDB reads its table statistics). For sizing, never for correctness.
    func estimatedRowCount(of table: String) throws(SourceError) -> Int
    /// The rows of `table` after `afterRowID` whose `keyColumn` may be blank, for the orphan scan:
    /// NULL, empty, or starting with a byte outside printable ASCII (a superset of what
    /// ``POSChangeLogSource`` counts as blank, filtered by the database), in row id order, at most
    /// `limit`, none above `highest`: the table's highest row id (0 when empty), read first.
    func blankKeyCandidates(
        of table: String, columns: [String], keyColumn: String, afterRowID: Int64, limit: Int
    ) throws(SourceError) -> (rows: [POSRow], highest: Int64)
    /// The current rows of `table` whose `keyColumn` equals one of `keys`, in no particular order.
    func rows(of table: String, columns: [String], keyColumn: String, keys: [String]) throws(SourceError) -> [POSRow]
}

extension POSDatabase {
    public var readsTextRows: Bool { false }

    /// Reads the rows as ``rows(of:columns:afterRowID:limit:)`` makes them, then adds them to `block`.
    public func rows(
        of table: String, columns: [String], afterRowID: Int64, limit: Int, into block: inout TextRowBlock
    ) throws(SourceError) -> Int64? {
        let rows = try rows(of: table, columns: columns, afterRowID: afterRowID, limit: limit)
        for row in rows {
            block.beginRow(row.rowID)
            for value in row.values {
                switch value {
                case .null: block.appendNull()
                case .text(let s): Array(s.utf8).withUnsafeBytes { block.appendValue($0) }
                case .bytes(let b): b.withUnsafeBytes { block.appendBytes($0) }
                }
            }
            _ = block.endRow()
        }
        return rows.last?.rowID
    }
}
