public import LedgerCore

/// A row read from a POS table: the database's own row id and the requested columns' values.
public struct POSRow: Sendable, Hashable {
    /// SQLite's `rowid`, MariaDB's `_row`: increases with every insert.
    public var rowID: Int64
    public var values: [RawValue]

    public init(rowID: Int64, values: [RawValue]) {
        self.rowID = rowID
        self.values = values
    }
}
