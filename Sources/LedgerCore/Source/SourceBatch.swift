/// What one fetch from a source returns.
public struct SourceBatch: Sendable {
    /// Changes in source order.
    public var changes: [SourceChange]
    /// The source's position after these changes; saved with them in one commit.
    public var cursor: SourceCursor
    /// Entities whose complete snapshot starts with this batch.
    public var startedSnapshots: [String]
    /// Entities whose *complete* snapshot ended with this batch: a live key of such an entity that
    /// the snapshot did not contain is a delete. The pipeline applies this only to a snapshot it saw
    /// start (``startedSnapshots``) in the same run; a resumed snapshot deletes nothing.
    public var completedSnapshots: [String]
    /// False when the source has nothing more right now (caught up).
    public var hasMore: Bool
    /// How many more rows the source expects to deliver after this batch, when it can tell (a
    /// backfill, a file); nil otherwise. The delta state makes room for them at once instead of
    /// growing table by table.
    public var estimatedRemaining: Int?

    public init(
        changes: [SourceChange], cursor: SourceCursor, startedSnapshots: [String] = [], completedSnapshots: [String] = [],
        hasMore: Bool, estimatedRemaining: Int? = nil
    ) {
        self.changes = changes
        self.cursor = cursor
        self.startedSnapshots = startedSnapshots
        self.completedSnapshots = completedSnapshots
        self.hasMore = hasMore
        self.estimatedRemaining = estimatedRemaining
    }
}
