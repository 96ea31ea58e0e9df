/// Where a row came from: enough to find it again, and to name it in an error or a dead letter.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    /// The source's name, e.g. `pos` or `csv`.
    public var source: String
    /// The table, or the file for CSV sources.
    public var table: String
    /// The line of a CSV file, 1-based, the header being line 1.
    public var line: Int?
    /// The source's own row id (SQLite `rowid`, MariaDB `_row`), when it has one.
    public var rowID: Int64?
    /// The change-log entry (`log_table_sync_change.id`) that led to this row.
    public var changeID: Int64?
    /// The primary key as the source wrote it.
    public var key: String?

    public init(source: String, table: String, line: Int? = nil, rowID: Int64? = nil, changeID: Int64? = nil, key: String? = nil) {
        self.source = source
        self.table = table
        self.line = line
        self.rowID = rowID
        self.changeID = changeID
        self.key = key
    }

    /// For example `csv sales.csv line 17` or `pos sales rowid 5 key "17" change 123`.
    public var description: String {
        var s = "\(source) \(table)"
        if let line { s += " line \(line)" }
        if let rowID { s += " rowid \(rowID)" }
        if let key { s += " key \"\(key)\"" }
        if let changeID { s += " change \(changeID)" }
        return s
    }
}
