import LedgerLog

/// A source batch with its changes prepared (normalized, turned into events, hashed), ready for the
/// ordered half of the pipeline: classification against the delta state and the commit.
struct FetchedBatch: Sendable {
    var batch: SourceBatch
    var retries: Int
    /// When the batch was fetched: the dead letters' `seenAt`, and the time lag is measured from.
    var fetchedAt: Timestamp
    /// ``batch``'s changes, prepared, in order (in chunks, as prepared on several cores). Optional so
    /// that the ordered stage can move each one out (`take()`), leaving nil, instead of copying it.
    var prepared: [[PreparedChange?]]
}
