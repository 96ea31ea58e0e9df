/// A source of changes: a POS database with a change log, a CSV file, an API.
///
/// A source is used from one task at a time. It holds no position of its own between runs: the
/// pipeline passes the cursor of the last checkpoint in the log, so a restart resumes exactly there.
public protocol ChangeSource: AnyObject {
    /// The name recorded in every event from this source (the event's `source`).
    var name: String { get }
    /// The changes after `cursor` (nil: from the beginning, i.e. a backfill), at most about `limit`.
    func nextBatch(after cursor: SourceCursor?, limit: Int) throws(SourceError) -> SourceBatch
}
