/// The five layers of normalization, in the order they run on a field.
public enum NormalizationLayer: String, Sendable, Hashable, CaseIterable {
    /// Field mapping: renames, defaults, required fields, the key.
    case mapping
    /// Strings: whitespace, NBSP and control characters, line endings, encodings; empty → null.
    case strings
    /// Type coercion to the declared type.
    case coercion
    /// Numerics: thousands separators, exponents, ranges.
    case numerics
    /// Dates and times to UTC.
    case datetime
}
