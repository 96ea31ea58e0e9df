/// A table of the analytics projection that mirrors one log entity (`products`, `receipts`,
/// `sales`): its business columns, the key, then `_offset` and `_event_time`.
public struct AnalyticsTable: Sendable, Hashable {
    /// The table's name, which is also the log entity it projects.
    public var name: String
    /// The single key column (the first of ``columns``).
    public var key: AnalyticsColumn
    /// The business columns, key first, in table order (without the metadata columns).
    public var columns: [AnalyticsColumn]
    /// Indexes of ``columns`` ordered by name bytes, the order of an event's fields.
    public let nameOrder: [Int]

    public init(name: String, columns: [AnalyticsColumn]) {
        precondition(!columns.isEmpty, "a table needs a key column")
        self.name = name
        self.key = columns[0]
        self.columns = columns
        nameOrder = columns.indices.sorted { columns[$0].name.utf8.lexicographicallyPrecedes(columns[$1].name.utf8) }
    }

    /// The offset of the event that set the row.
    public static let offsetColumn = AnalyticsColumn("_offset", .bigint, notNull: true)
    /// The commit time of the event that set the row.
    public static let eventTimeColumn = AnalyticsColumn("_event_time", .timestamp, notNull: true)

    /// ``columns`` followed by `_offset` and `_event_time`: the order of an upsert's values.
    public var allColumns: [AnalyticsColumn] { columns + [Self.offsetColumn, Self.eventTimeColumn] }

    /// The index of the column named `name` in ``allColumns``.
    public func index(of name: String) -> Int? { allColumns.firstIndex { $0.name == name } }
}
