/// How a fetched change compares with what the log already holds for its record.
public enum DeltaKind: String, Sendable, Hashable, CaseIterable {
    /// No live record with this key: an upsert event.
    case new
    /// A live record whose data changed: an upsert event.
    case updated
    /// The data hash (or rowversion) is unchanged: nothing is appended.
    case unchanged
    /// A live record the source deleted: a delete event.
    case deleted
    /// A delete of a record that is not live (never seen, or already deleted): nothing is appended.
    case alreadyGone
}
