import GRDB
import LedgerLog
public import LedgerProjection
import Synchronization

/// The embedded analytics projection: `products`, `receipts`, `sales`, `basket_lines` and
/// `also_bought` in one SQLite file (by default `analytics.sqlite` beside the log), with the
/// projector's checkpoint and dead letters.
///
/// The schema is created or migrated when the lock is taken; each batch's effects, co-occurrence,
/// dead letters and checkpoint commit in one transaction (WAL).
public final class SQLiteAnalyticsTarget: ProjectionTarget {
    public let name: String
    public let path: String
    let db: DatabaseQueue
    private let lock = Mutex<SQLiteLockFile?>(nil)

    /// The projection's conventional place beside a log.
    public static func defaultPath(logDirectory: String) -> String { logDirectory + "/analytics.sqlite" }

    /// Opens (or creates) the database file; nothing is written before ``acquireLock()``.
    /// - Parameter busyTimeout: how long a write waits for another connection's transaction before
    ///   failing with a transient error (which the projector retries).
    public init(path: String, name: String = "sqlite", busyTimeout: Double = 5) throws(ProjectionError) {
        self.name = name
        self.path = path
        do {
            var config = Configuration()
            config.busyMode = .timeout(busyTimeout)
            // A batch dirties more than the default 1,000 pages, which checkpointed (and synced the
            // file) after every commit; the WAL now grows to about 64 MB between checkpoints.
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -524288; PRAGMA mmap_size = 1073741824; PRAGMA temp_store = MEMORY")
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \((64 << 20) / max(pageSize, 512))")
            }
            db = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw Self.projectionError(error, context: "opening \(path)")
        }
    }

    public func acquireLock() async throws(ProjectionError) {
        let file = try SQLiteLockFile(path: path + ".lock", projector: name)
        lock.withLock { $0 = file }
        do {
            try SQLiteAnalyticsSchema.migrator.migrate(db)
        } catch {
            throw Self.projectionError(error, context: "migrating \(path)", code: .schema)
        }
    }

    public func checkpoint() async throws(ProjectionError) -> ProjectionCheckpoint {
        do {
            return try await db.read { [name] db in try Self.checkpoint(db, projector: name) } ?? .start
        } catch {
            throw Self.projectionError(error, context: "reading the checkpoint of \(name) in \(path)")
        }
    }

    static func checkpoint(_ db: Database, projector: String) throws -> ProjectionCheckpoint? {
        guard let row = try Row.fetchOne(db, sql: "SELECT next_offset, last_hash FROM projector_checkpoint WHERE projector = ?", arguments: [projector]) else {
            return nil
        }
        let offset: Int64 = row[0]
        let hex: String = row[1]
        return try ProjectionCheckpoint(stored: offset, hex: hex, place: "projector_checkpoint of \(projector)")
    }

    public func apply(_ prepared: ProjectionBatch, checkpoint: ProjectionCheckpoint) async throws(ProjectionError) -> ProjectionBatchResult {
        guard lock.withLock({ $0 != nil }) else {
            throw ProjectionError(.configuration, context: "projector \(name)", cause: "apply before acquireLock")
        }
        let batch = prepared.analytics
        do {
            try await db.write { db in try self.write(batch, checkpoint: checkpoint, db) }
        } catch {
            throw Self.projectionError(error, context: "applying offsets ..<\(checkpoint.nextOffset) to \(path)")
        }
        return ProjectionBatchResult(applied: batch.applied, deadLettered: batch.deadLetters.count, ignored: batch.ignored)
    }

    public func close() async {
        lock.withLock {
            $0?.release()
            $0 = nil
        }
        try? db.close()
    }

    /// A ``ProjectionError`` for a GRDB or SQLite error: busy and locked databases are transient.
    static func projectionError(_ error: any Error, context: String, code: ProjectionError.Code = .target) -> ProjectionError {
        if let e = error as? ProjectionError { return e }
        if let e = error as? DatabaseError {
            let transient = e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED
            return ProjectionError(code, context: context, cause: "\(e.resultCode): \(e.message ?? "")", isTransient: transient)
        }
        return ProjectionError(code, context: context, cause: "\(error)")
    }
}
