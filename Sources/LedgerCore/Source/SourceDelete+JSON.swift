import LedgerLog

extension SourceDelete {
    /// The delete as JSON, `{"delete": {key column: value, ...}}`, for dead letters.
    public var rawJSON: String {
        let key = SourceRow(entity: entity, position: position, columns: keyColumns, values: keyValues).rawJSON
        return "{\"delete\":" + key + "}"
    }
}
