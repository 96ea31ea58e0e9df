public import LedgerLog

/// Reads a projector's batches from its cursor, from one task at a time: the projector awaits each
/// read before starting the next, which is what makes handing the cursor to another task safe.
public final class BatchReader: @unchecked Sendable {
    private let cursor: EventCursor
    private let batchSize: Int
    private let directory: String

    public init(cursor: EventCursor, batchSize: Int, directory: String) {
        self.cursor = cursor
        self.batchSize = batchSize
        self.directory = directory
    }

    /// Up to `batchSize` events; empty at the cursor's limit.
    public func read() -> Result<[LedgerLog.LogEvent], ProjectionError> {
        var events: [LedgerLog.LogEvent] = []
        events.reserveCapacity(batchSize)
        do {
            while events.count < batchSize, let e = try cursor.next() { events.append(e) }
        } catch {
            return .failure(ProjectionError(.log, context: "reading \(directory) at offset \(cursor.nextOffset)", cause: error.description))
        }
        return .success(events)
    }
}
