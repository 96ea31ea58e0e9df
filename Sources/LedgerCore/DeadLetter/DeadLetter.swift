public import LedgerLog

/// A source row that could not be turned into an event: kept with its raw values, where it came
/// from and why, and never applied. A retry after the mapping is fixed re-normalizes ``row``.
public struct DeadLetter: Error, Sendable, Hashable {
    /// The source's name (the `source` its events would carry).
    public var source: String
    public var entity: String
    public var position: SourcePosition
    /// The normalization layer that refused the row, or `source` when the source could not read it.
    public var layer: String
    public var field: String?
    public var reason: String
    /// The raw row as a JSON object (column → text, null, or `{"hex": ...}` for undecodable bytes),
    /// or for input that never became a row the raw text as a JSON string.
    public var raw: String
    public var seenAt: Timestamp
    /// The log's head when the row was refused: a retry does not apply the row over a newer event of
    /// its record.
    public var logOffset: UInt64


    public init(
        source: String, entity: String, position: SourcePosition, layer: String, field: String?, reason: String,
        raw: String, seenAt: Timestamp, logOffset: UInt64 = 0
    ) {
        self.source = source
        self.entity = entity
        self.position = position
        self.layer = layer
        self.field = field
        self.reason = reason
        self.raw = raw
        self.seenAt = seenAt
        self.logOffset = logOffset
    }

    /// A row the normalizer refused.
    public init(source: String, row: SourceRow, failure: NormalizationFailure, seenAt: Timestamp, logOffset: UInt64 = 0) {
        self.init(
            source: source, entity: row.entity, position: row.position, layer: failure.layer.rawValue,
            field: failure.field, reason: failure.reason, raw: row.rawJSON, seenAt: seenAt, logOffset: logOffset)
    }

    /// Input the source could not read as a row.
    public init(source: String, malformed m: SourceMalformed, seenAt: Timestamp, logOffset: UInt64 = 0) {
        var raw = ""
        JSONText.appendQuoted(m.raw, to: &raw)
        self.init(
            source: source, entity: m.entity, position: m.position, layer: "source", field: nil, reason: m.reason,
            raw: raw, seenAt: seenAt, logOffset: logOffset)
    }

    /// The change to apply again on a retry: the row (or the delete) the letter keeps; nil for input
    /// that never was a row.
    public var change: SourceChange? {
        guard case .object(let members)? = try? JSONParser.parse(raw) else { return nil }
        if members.count == 1, members[0].0 == "delete", case .object(let key) = members[0].1 {
            guard let (columns, values) = Self.columns(key) else { return nil }
            return .delete(SourceDelete(entity: entity, position: position, keyColumns: columns, keyValues: values))
        }
        guard let (columns, values) = Self.columns(members) else { return nil }
        return .row(SourceRow(entity: entity, position: position, columns: columns, values: values))
    }

    private static func columns(_ members: [(String, JSONValue)]) -> ([String], [RawValue])? {
        var columns: [String] = [], values: [RawValue] = []
        for (name, v) in members {
            columns.append(name)
            switch v {
            case .string(let s): values.append(.text(s))
            case .object(let o):
                guard o.count == 1, o[0].0 == "hex", case .string(let h) = o[0].1, let b = Hex.decode(h) else { return nil }
                values.append(.bytes(b))
            case .null: values.append(.null)
            default: return nil
            }
        }
        return (columns, values)
    }
}
