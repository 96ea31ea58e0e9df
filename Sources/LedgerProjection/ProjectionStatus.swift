public import LedgerLog

/// A projector's checkpoint against the log's head, as `ledger projections` lists it.
public struct ProjectionStatus: Sendable, Hashable {
    public var projector: String
    public var checkpoint: ProjectionCheckpoint
    public var head: HeadRecord
    /// Commit time of the last applied event, nil when nothing was applied.
    public var appliedTime: Timestamp?
    /// Commit time of the log's last event, nil for an empty log.
    public var headTime: Timestamp?

    public init(projector: String, checkpoint: ProjectionCheckpoint, head: HeadRecord, appliedTime: Timestamp?, headTime: Timestamp?) {
        self.projector = projector
        self.checkpoint = checkpoint
        self.head = head
        self.appliedTime = appliedTime
        self.headTime = headTime
    }

    /// Reads the head and the two events' times from `reader`.
    public static func read(projector: String, checkpoint: ProjectionCheckpoint, reader: LogReader) throws(ProjectionError) -> ProjectionStatus {
        do {
            let head = try reader.head()
            let applied = checkpoint.nextOffset > 0 ? try reader.event(at: checkpoint.nextOffset - 1)?.time : nil
            let last = head.nextOffset > 0 ? try reader.event(at: head.nextOffset - 1)?.time : nil
            return ProjectionStatus(projector: projector, checkpoint: checkpoint, head: head, appliedTime: applied, headTime: last)
        } catch {
            throw ProjectionError(.log, context: "reading \(reader.directory)", cause: error.description)
        }
    }

    /// Events committed but not applied.
    public var lagEvents: UInt64 { head.nextOffset > checkpoint.nextOffset ? head.nextOffset - checkpoint.nextOffset : 0 }

    /// Commit time of the log's last event minus that of the last applied one (0 when caught up).
    public var lagSeconds: Double {
        guard lagEvents > 0, let headTime else { return 0 }
        let applied = appliedTime?.microseconds ?? headTime.microseconds
        return Double(max(0, headTime.microseconds - applied)) / 1_000_000
    }
}
