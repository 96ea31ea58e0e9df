/// The type a field is normalized to.
public enum FieldType: String, Sendable, Hashable, CaseIterable {
    case string
    /// Exact decimal; money is never a `Double`.
    case decimal
    case integer
    /// A point in time, stored in UTC.
    case timestamp
    case bool
    /// Raw bytes given as hex text, or taken verbatim from a binary value.
    case hex
}
