import GRDB
public import LedgerCore
public import LedgerLog

/// The dead-letter store: a SQLite file (by default `dead-letters.sqlite` in the log directory).
///
/// One entry per source position: meeting the same row again updates its reason and attempt count
/// instead of adding a second entry, so re-runs after a crash never duplicate dead letters.
public final class DeadLetterStore: DeadLetterSink {
    public let path: String
    private let db: DatabaseQueue

    /// The store's conventional place beside a log.
    public static func defaultPath(logDirectory: String) -> String { logDirectory + "/dead-letters.sqlite" }

    public init(path: String) throws(DeadLetterError) {
        self.path = path
        do {
            var config = Configuration()
            config.busyMode = .timeout(5)
            db = try DatabaseQueue(path: path, configuration: config)
            try Self.migrator.migrate(db)
        } catch {
            throw DeadLetterError(context: path, cause: Self.describe(error))
        }
    }

    private static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE dead_letter (
                    id INTEGER PRIMARY KEY,
                    source TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    position TEXT NOT NULL,
                    source_table TEXT NOT NULL,
                    line INTEGER,
                    row_id INTEGER,
                    change_id INTEGER,
                    source_key TEXT,
                    layer TEXT NOT NULL,
                    field TEXT,
                    reason TEXT NOT NULL,
                    raw TEXT NOT NULL,
                    first_seen INTEGER NOT NULL,
                    last_seen INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 1,
                    status TEXT NOT NULL DEFAULT 'open',
                    resolved_offset INTEGER,
                    log_offset INTEGER NOT NULL,
                    UNIQUE (source, position)
                );
                CREATE INDEX dead_letter_status ON dead_letter (status, entity);
                """)
        }
        return m
    }

    public func record(_ letters: [DeadLetter]) throws(DeadLetterError) {
        guard !letters.isEmpty else { return }
        do {
            try db.write { db in
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO dead_letter (source, entity, position, source_table, line, row_id, change_id, source_key,
                                             layer, field, reason, raw, first_seen, last_seen, log_offset)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (source, position) DO UPDATE SET
                        entity = excluded.entity, layer = excluded.layer, field = excluded.field,
                        reason = excluded.reason, raw = excluded.raw, last_seen = excluded.last_seen,
                        attempts = attempts + 1, status = 'open', resolved_offset = NULL, log_offset = excluded.log_offset
                    """)
                for l in letters {
                    let p = l.position
                    try statement.execute(arguments: [
                        l.source, l.entity, p.description, p.table, p.line, p.rowID, p.changeID, p.key,
                        l.layer, l.field, l.reason, l.raw, l.seenAt.microseconds, l.seenAt.microseconds,
                        Int64(l.logOffset),
                    ])
                }
            }
        } catch {
            throw DeadLetterError(context: path, cause: Self.describe(error))
        }
    }

    /// Entries in id order, optionally only one status or entity.
    public func list(status: StoredDeadLetter.Status? = nil, entity: String? = nil, limit: Int? = nil) throws(DeadLetterError) -> [StoredDeadLetter] {
        var sql = "SELECT * FROM dead_letter WHERE 1 = 1"
        var args: [(any DatabaseValueConvertible)?] = []
        if let status { sql += " AND status = ?"; args.append(status.rawValue) }
        if let entity { sql += " AND entity = ?"; args.append(entity) }
        sql += " ORDER BY id"
        if let limit { sql += " LIMIT ?"; args.append(limit) }
        return try read { db in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.entry) }
    }

    public func entry(id: Int64) throws(DeadLetterError) -> StoredDeadLetter? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM dead_letter WHERE id = ?", arguments: [id]).map(Self.entry) }
    }

    /// Counts per status.
    public func count(status: StoredDeadLetter.Status) throws(DeadLetterError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM dead_letter WHERE status = ?", arguments: [status.rawValue]) ?? 0 }
    }

    /// Marks an entry resolved by a retry.
    public func resolve(id: Int64, offset: UInt64?) throws(DeadLetterError) {
        try write { db in
            try db.execute(sql: "UPDATE dead_letter SET status = 'resolved', resolved_offset = ? WHERE id = ?",
                           arguments: [offset.map { Int64($0) }, id])
        }
    }

    /// Records a failed retry: the new reason, one more attempt.
    public func refuseAgain(id: Int64, layer: String, field: String?, reason: String, at time: Timestamp) throws(DeadLetterError) {
        try write { db in
            try db.execute(sql: """
                UPDATE dead_letter SET layer = ?, field = ?, reason = ?, last_seen = ?, attempts = attempts + 1 WHERE id = ?
                """, arguments: [layer, field, reason, time.microseconds, id])
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(DeadLetterError) -> T {
        do { return try db.read(body) } catch { throw DeadLetterError(context: path, cause: Self.describe(error)) }
    }

    private func write(_ body: (Database) throws -> Void) throws(DeadLetterError) {
        do { try db.write(body) } catch { throw DeadLetterError(context: path, cause: Self.describe(error)) }
    }

    private static func entry(_ row: Row) -> StoredDeadLetter {
        let position = SourcePosition(
            source: row["source"], table: row["source_table"], line: row["line"], rowID: row["row_id"],
            changeID: row["change_id"], key: row["source_key"])
        let letter = DeadLetter(
            source: row["source"], entity: row["entity"], position: position, layer: row["layer"], field: row["field"],
            reason: row["reason"], raw: row["raw"], seenAt: Timestamp(microseconds: row["last_seen"]),
            logOffset: UInt64(row["log_offset"] as Int64))
        let offset: Int64? = row["resolved_offset"]
        return StoredDeadLetter(
            id: row["id"], letter: letter, status: StoredDeadLetter.Status(rawValue: row["status"]) ?? .open,
            attempts: row["attempts"], resolvedOffset: offset.map { UInt64($0) })
    }

    private static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "SQLite error \(e.resultCode)" }
        return "\(error)"
    }
}
