public import LedgerCore
import LedgerLog
public import LedgerSQLite
import LedgerSources
public import Logging

/// Runs sources into a log in this process, as `ledger sync` does, and reads back what the log holds.
public struct SyncHarness {
    public let log: String
    public let logger: Logger
    public var configuration = SyncConfiguration()

    public init(log: String, logger: Logger = Logger(label: "test")) {
        self.log = log
        self.logger = logger
    }

    public var deadLetterPath: String { DeadLetterStore.defaultPath(logDirectory: log) }

    /// Runs `source` until caught up (state from the snapshot, saved afterwards, as the CLI does).
    @discardableResult
    public func sync(_ source: any ChangeSource, mapping: SourceMapping = .standardPOS()) throws -> SyncCounters {
        let writer = try LogWriter(directory: log, logger: logger)
        defer { writer.close() }
        let (state, _) = try DeltaStateSnapshot.load(directory: log, head: writer.head.nextOffset)
        let pipeline = try SyncPipeline(
            source: source, mapping: mapping, writer: writer, deadLetters: try DeadLetterStore(path: deadLetterPath),
            state: state, configuration: configuration, sleep: { _ in }, logger: logger)
        let counters = try pipeline.runUntilCaughtUp()
        try DeltaStateSnapshot.save(pipeline.state, directory: log)
        return counters
    }

    @discardableResult
    public func syncSQLite(_ path: String) throws -> SyncCounters {
        try sync(POSChangeLogSource(database: try SQLitePOSDatabase(path: path), logger: logger))
    }

    /// The newest version of every live record, from one pass over the whole log.
    public func liveRecords() throws -> LiveRecords {
        var live = LiveRecords()
        let reader = try LogReader(directory: log)
        let cursor = try reader.cursor(from: 0, limit: try reader.head().nextOffset)
        while let e = try cursor.next() {
            live.events += 1
            switch e.op {
            case .checkpoint: live.checkpoints += 1
            case .upsert: live.records[e.recordID] = e
            case .delete: live.records[e.recordID] = nil
            }
        }
        return live
    }

    public func openDeadLetters() throws -> [StoredDeadLetter] {
        try DeadLetterStore(path: deadLetterPath).list(status: .open)
    }
}
