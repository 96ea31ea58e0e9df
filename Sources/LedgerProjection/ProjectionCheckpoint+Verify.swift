public import LedgerLog

extension ProjectionCheckpoint {
    /// Checks that this checkpoint belongs to the log behind `reader`: `nextOffset` is not beyond
    /// the committed head and `lastHash` is the hash of the event at `nextOffset - 1`.
    public func verify(against reader: LogReader) throws(ProjectionError) {
        let head: HeadRecord
        let event: LogEvent?
        do {
            head = try reader.head()
            event = nextOffset > 0 && nextOffset <= head.nextOffset ? try reader.event(at: nextOffset - 1) : nil
        } catch {
            throw ProjectionError(.log, context: "reading \(reader.directory)", cause: error.description)
        }
        try verify(head: head, lastEvent: event)
    }

    /// The decision of ``verify(against:)``, given the head and the event at `nextOffset - 1`.
    public func verify(head: HeadRecord, lastEvent: LogEvent?) throws(ProjectionError) {
        if nextOffset == 0 {
            guard lastHash == .zero else {
                throw ProjectionError(.checkpointMismatch, context: "checkpoint \(self)", cause: "an empty checkpoint must have a zero hash")
            }
            return
        }
        guard nextOffset <= head.nextOffset else {
            throw ProjectionError(.checkpointMismatch, context: "checkpoint \(self)",
                                  cause: "it is beyond the log's head at offset \(head.nextOffset): the target was built from another log, or the log was truncated")
        }
        guard let lastEvent, lastEvent.offset == nextOffset - 1, lastEvent.hash == lastHash else {
            throw ProjectionError(.checkpointMismatch, context: "checkpoint \(self)",
                                  cause: "the log's event at offset \(nextOffset - 1) has hash \(lastEvent.map { $0.hash.hex } ?? "none"): the target was built from another log")
        }
    }
}
