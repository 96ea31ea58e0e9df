/// One row of a source table or file, as text, before normalization.
public struct SourceRow: Sendable, Hashable {
    /// The entity the row belongs to (`products`, `receipts`, `sales`, ...).
    public var entity: String
    public var position: SourcePosition
    /// Column names as the source has them; rows of one table share one array.
    public var columns: [String]
    /// One value per column.
    public var values: [RawValue]

    public init(entity: String, position: SourcePosition, columns: [String], values: [RawValue]) {
        precondition(columns.count == values.count, "a SourceRow needs one value per column")
        self.entity = entity
        self.position = position
        self.columns = columns
        self.values = values
    }

    /// The value of `column`, or nil when the row has no such column.
    public func value(_ column: String) -> RawValue? {
        columns.firstIndex(of: column).map { values[$0] }
    }
}
