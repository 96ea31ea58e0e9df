/// One row of the POS change log `log_table_sync_change(id, table_name, pk, op, change_time)`.
public struct ChangeLogEntry: Sendable, Hashable {
    public enum Op: String, Sendable, Hashable {
        case insert = "I"
        case update = "U"
        case delete = "D"
    }

    public var id: Int64
    public var table: String
    public var pk: String
    public var op: Op
    /// `change_time` as the database returned it (`YYYY-MM-DD HH:MM:SS`, the server's local time).
    public var changeTime: String

    public init(id: Int64, table: String, pk: String, op: Op, changeTime: String) {
        self.id = id
        self.table = table
        self.pk = pk
        self.op = op
        self.changeTime = changeTime
    }
}
