/// What one fetch from a source returns.
public struct SourceBatch: Sendable {
    /// Changes in source order: ``listedChanges``, then the records of ``textRows``.
    public var changes: [SourceChange] {
        get { textRows.map { listedChanges + $0.changes } ?? listedChanges }
        set {
            listedChanges = newValue
            textRows = nil
        }
    }
    /// The changes the source made one by one.
    public var listedChanges: [SourceChange]
    /// Records the source read as text into one buffer, after ``listedChanges``.
    public var textRows: TextRowBlock?
    /// How many changes the batch holds.
    public var count: Int { listedChanges.count + (textRows?.count ?? 0) }
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

    /// A batch of records read into `textRows`.
    public init(
        textRows: TextRowBlock, cursor: SourceCursor, startedSnapshots: [String] = [], completedSnapshots: [String] = [],
        hasMore: Bool, estimatedRemaining: Int? = nil
    ) {
        self.init(changes: [], cursor: cursor, startedSnapshots: startedSnapshots, completedSnapshots: completedSnapshots,
                  hasMore: hasMore, estimatedRemaining: estimatedRemaining)
        self.textRows = textRows
    }

    public init(
        changes: [SourceChange], cursor: SourceCursor, startedSnapshots: [String] = [], completedSnapshots: [String] = [],
        hasMore: Bool, estimatedRemaining: Int? = nil
    ) {
        listedChanges = changes
        textRows = nil
        self.cursor = cursor
        self.startedSnapshots = startedSnapshots
        self.completedSnapshots = completedSnapshots
        self.hasMore = hasMore
        self.estimatedRemaining = estimatedRemaining
    }
}
