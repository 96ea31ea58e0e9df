/// How a row is told apart from the record's newest event.
public enum DeltaStrategy: String, Sendable, Hashable {
    /// Compare data hashes (SHA-256 of the canonical fields). Always correct.
    case hash
    /// Trust the source's rowversion where both sides have one: the same rowversion is unchanged
    /// without hashing. Rows without a rowversion fall back to the hash.
    case rowversion
}
