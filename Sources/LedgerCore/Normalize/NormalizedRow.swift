public import LedgerLog

/// A row after normalization: typed fields, ready to become an event.
public struct NormalizedRow: Sendable, Hashable {
    public var entity: String
    /// Key field names in declared order.
    public var keyFields: [String]
    /// All fields, keys included, with typed values; the normalizer emits them in field-name order.
    public var fields: [Field]
    public var rowversion: String?

    public init(entity: String, keyFields: [String], fields: [Field], rowversion: String? = nil) {
        self.entity = entity
        self.keyFields = keyFields
        self.fields = fields
        self.rowversion = rowversion
    }
}
