public import LedgerLog

/// Where a running projector stands, reported after every batch.
public struct ProjectorProgress: Sendable, Hashable {
    public var projector: String
    public var checkpoint: ProjectionCheckpoint
    /// The log's committed head when the batch was read.
    public var head: UInt64
    /// Totals since the projector started.
    public var totals: ProjectionBatchResult
    /// Commit time of the last applied event.
    public var lastEventTime: Timestamp?

    public init(projector: String, checkpoint: ProjectionCheckpoint, head: UInt64, totals: ProjectionBatchResult, lastEventTime: Timestamp?) {
        self.projector = projector
        self.checkpoint = checkpoint
        self.head = head
        self.totals = totals
        self.lastEventTime = lastEventTime
    }

    /// Events committed to the log but not applied yet.
    public var lagEvents: UInt64 { head > checkpoint.nextOffset ? head - checkpoint.nextOffset : 0 }
}
