public import LedgerLog

/// How one source column becomes one event field.
public struct FieldMapping: Sendable, Hashable {
    /// The event field's name.
    public var name: String
    /// The source column (CSV header or table column) it is read from.
    public var column: String
    public var type: FieldType
    /// A required field that is null after normalization makes the row malformed.
    public var required: Bool
    /// Raw text used when the column is missing or null, before normalization.
    public var defaultValue: String?
    /// Inclusive bounds for decimal and integer fields.
    public var minimum: LedgerDecimal?
    public var maximum: LedgerDecimal?

    public init(
        name: String,
        column: String? = nil,
        type: FieldType = .string,
        required: Bool = false,
        defaultValue: String? = nil,
        minimum: LedgerDecimal? = nil,
        maximum: LedgerDecimal? = nil
    ) {
        self.name = name
        self.column = column ?? name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.minimum = minimum
        self.maximum = maximum
    }
}
