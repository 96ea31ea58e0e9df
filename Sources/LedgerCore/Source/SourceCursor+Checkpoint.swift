public import LedgerLog

extension SourceCursor {
    /// The cursor stored in a checkpoint event's fields (string values; other values as their text).
    public init(checkpointFields fields: [Field]) {
        var values: [String: String] = [:]
        for f in fields where !f.value.isNull {
            if case .string(let s) = f.value { values[f.name] = s } else { values[f.name] = f.value.canonicalText }
        }
        self.init(values)
    }

    /// The checkpoint event recording this cursor for `source`.
    public func checkpointEvent(source: String) throws(EventError) -> NewEvent {
        try NewEvent.checkpoint(source: source, fields: values.map { Field($0.key, .string($0.value)) })
    }
}
