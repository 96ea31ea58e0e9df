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

    /// The size of the last batch read: the first is an eighth of `batchSize`, and each next one
    /// twice the last, up to `batchSize`. A projector's target thus starts writing after a short
    /// read, and later batches are read while earlier ones are written (the first of 40,000 events
    /// took about 160 ms to read and decide before any statement was sent).
    private var size = 0

    /// Up to the next batch's size of events (see `size`); empty at the cursor's limit.
    public func read() -> Result<[LedgerLog.LogEvent], ProjectionError> {
        size = size == 0 ? max(1, batchSize / 8) : min(batchSize, size * 2)
        var events: [LedgerLog.LogEvent] = []
        events.reserveCapacity(size)
        do {
            while events.count < size, let e = try cursor.next() { events.append(e) }
        } catch {
            return .failure(ProjectionError(.log, context: "reading \(directory) at offset \(cursor.nextOffset)", cause: error.description))
        }
        return .success(events)
    }
}

extension BatchReader {
    /// Reads `from..<limit` of the log in chunks of up to 8,192 events (the first ones smaller, as
    /// ``read()`` grows them), the next chunk on another thread while `body` handles the current
    /// one (in log order); returns the number of events read.
    /// - Parameter progress: called after each chunk with the next offset and `limit`.
    public static func forEachChunk(of reader: LogReader, from: UInt64, limit: UInt64,
                                    progress: (@Sendable (UInt64, UInt64) -> Void)? = nil,
                                    _ body: ([LedgerLog.LogEvent]) -> Void) async throws(ProjectionError) -> Int {
        guard from < limit else { return 0 }
        let cursor: EventCursor
        do { cursor = try reader.cursor(from: from, limit: limit) } catch {
            throw ProjectionError(.log, context: "reading \(reader.directory) from offset \(from)", cause: error.description)
        }
        let chunks = BatchReader(cursor: cursor, batchSize: 8192, directory: reader.directory)
        var count = 0
        var events = try chunks.read().get()
        while let last = events.last {
            let next = Task.detached { chunks.read() }
            body(events)
            count += events.count
            progress?(last.offset + 1, limit)
            events = try await next.value.get()
        }
        return count
    }
}
