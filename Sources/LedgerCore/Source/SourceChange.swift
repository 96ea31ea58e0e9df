/// One change a source reports, in source order.
public enum SourceChange: Sendable, Hashable {
    /// The row's current version: an insert or update.
    case row(SourceRow)
    /// The record was deleted at the source.
    case delete(SourceDelete)
    /// Input the source itself could not read as a row (a broken CSV line, a change-log entry
    /// naming a row it cannot fetch as a row): dead-lettered, never applied.
    case malformed(SourceMalformed)
}

/// A delete: the record's key as the source wrote it, in the column order of the entity mapping's key.
public struct SourceDelete: Sendable, Hashable {
    public var entity: String
    public var position: SourcePosition
    /// Key columns and their raw values (for the standard POS schema: one column).
    public var keyColumns: [String]
    public var keyValues: [RawValue]

    public init(entity: String, position: SourcePosition, keyColumns: [String], keyValues: [RawValue]) {
        self.entity = entity
        self.position = position
        self.keyColumns = keyColumns
        self.keyValues = keyValues
    }
}

/// Input that never became a row.
public struct SourceMalformed: Sendable, Hashable {
    public var entity: String
    public var position: SourcePosition
    /// The raw input, verbatim (a CSV line, a change-log entry as JSON).
    public var raw: String
    public var reason: String

    public init(entity: String, position: SourcePosition, raw: String, reason: String) {
        self.entity = entity
        self.position = position
        self.raw = raw
        self.reason = reason
    }
}
