#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import GRDB
import GRDBSQLite
public import LedgerCore

/// A point-of-sale SQLite file with the standard change log, opened read-only while the POS keeps
/// writing to it (a busy database waits up to ``busyTimeoutSeconds``, then is `unavailable`).
///
/// Row ids are SQLite's `rowid`. Text values are `.text`, NULL is `.null`, blobs and text that is
/// not valid UTF-8 are `.bytes`; numbers (a POS column is text, but SQLite allows any value) are
/// their SQLite text form. Key lookups go through the `<table>_pk` index (`INDEXED BY`), 500 keys
/// per query, a list of 1,000 keys or more half on each of two connections at once (the incremental
/// sync's critical path); a missing index is a `badSchema` error. Errors name the file, never more.
/// A change-log `op` other than I, U or D is read as U (the record's current row is fetched, which
/// is right whatever the change was). Each query is its own short read transaction, so the POS's
/// writer is never held up for longer than one batch.
public final class SQLitePOSDatabase: POSDatabase {
    public let path: String
    public let label: String
    public static let busyTimeoutSeconds: Double = 5
    /// Keys (or change ids) per `IN (...)` list.
    static let chunk = 500
    let queue: DatabaseQueue
    /// A second connection: a large batch's key lookups run half on each, side by side.
    let lookupQueue: DatabaseQueue
    /// The thread of the second half's lookups (a serial queue has a thread of its own; the global
    /// pool's threads are busy preparing the batch before).
    private let lookupThread = DispatchQueue(label: "ledger.sqlite.lookup")

    /// Opens `path` read-only; `notFound` when there is no such file.
    public init(path: String) throws(SourceError) {
        self.path = path
        label = "sqlite \(path.split(separator: "/").last.map(String.init) ?? path)"
        guard access(path, R_OK) == 0 else {
            throw SourceError(.notFound, context: label, cause: "no readable file at this path")
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(Self.busyTimeoutSeconds)
        config.label = label
        // No memory map: a mapped file's pages would count in the process's resident memory.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA mmap_size = 0") }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            lookupQueue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw Self.sourceError(error, label: label, what: "open")
        }
    }

    public func maxChangeID() throws(SourceError) -> Int64 {
        try read("log_table_sync_change") { db in
            try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM log_table_sync_change") ?? 0
        }
    }

    public func changes(after id: Int64, limit: Int) throws(SourceError) -> [ChangeLogEntry] {
        try read("log_table_sync_change") { db in
            let stmt = try db.cachedStatement(sql: "SELECT id, table_name, pk, op, change_time FROM log_table_sync_change WHERE id > ? ORDER BY id LIMIT ?")
            stmt.setUncheckedArguments([id, max(0, limit)])
            return try Self.entries(stmt)
        }
    }

    public func changes(ids: [Int64]) throws(SourceError) -> [ChangeLogEntry] {
        if ids.isEmpty { return [] }
        let sorted = Array(Set(ids)).sorted()
        return try read("log_table_sync_change") { db in
            var out: [ChangeLogEntry] = []
            for start in stride(from: 0, to: sorted.count, by: Self.chunk) {
                let part = sorted[start..<min(sorted.count, start + Self.chunk)]
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                let stmt = try db.cachedStatement(sql: "SELECT id, table_name, pk, op, change_time FROM log_table_sync_change WHERE id IN (\(marks)) ORDER BY id")
                stmt.setUncheckedArguments(StatementArguments(Array(part)))
                out += try Self.entries(stmt)
            }
            return out
        }
    }

    /// `SELECT rowid, <columns> FROM <table> WHERE rowid > ? <condition> ORDER BY rowid LIMIT ?`.
    static func rowsAfterSQL(table: String, columns: [String], condition: String = "") -> String {
        "SELECT rowid, \(list(columns)) FROM \(quote(table)) WHERE rowid > ? \(condition) ORDER BY rowid LIMIT ?"
    }

    public func rows(of table: String, columns: [String], afterRowID: Int64, limit: Int) throws(SourceError) -> [POSRow] {
        let sql = Self.rowsAfterSQL(table: table, columns: columns)
        return try read(table) { db in
            let stmt = try db.cachedStatement(sql: sql)
            stmt.setUncheckedArguments([afterRowID, max(0, limit)])
            var out: [POSRow] = []
            out.reserveCapacity(min(max(0, limit), 100_000))
            try Self.rows(stmt, columns: columns.count) { out.append($0) }
            return out
        }
    }

    public var readsTextRows: Bool { true }

    public func rows(
        of table: String, columns: [String], afterRowID: Int64, limit: Int, into block: inout TextRowBlock
    ) throws(SourceError) -> Int64? {
        let sql = Self.rowsAfterSQL(table: table, columns: columns)
        return try read(table) { db in
            let stmt = try db.cachedStatement(sql: sql)
            stmt.setUncheckedArguments([afterRowID, max(0, limit)])
            return try Self.rows(stmt, columns: columns.count, into: &block)
        }
    }

    public func hasTable(_ table: String) throws(SourceError) -> Bool {
        try read(table) { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?)", arguments: [table]) ?? false
        }
    }

    public func estimatedRowCount(of table: String) throws(SourceError) -> Int {
        try read(table) { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(Self.quote(table))") ?? 0 }
    }

    public func blankKeyCandidates(
        of table: String, columns: [String], keyColumn: String, afterRowID: Int64, limit: Int
    ) throws(SourceError) -> (rows: [POSRow], highest: Int64) {
        let key = Self.quote(keyColumn)
        let sql = Self.rowsAfterSQL(table: table, columns: columns, condition:
            "AND rowid <= ? AND (\(key) IS NULL OR \(key) = '' OR unicode(\(key)) <= 32 OR unicode(\(key)) >= 127)")
        return try read(table) { db in
            let highest = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(rowid), 0) FROM \(Self.quote(table))") ?? 0
            let stmt = try db.cachedStatement(sql: sql)
            stmt.setUncheckedArguments([afterRowID, highest, max(0, limit)])
            var out: [POSRow] = []
            try Self.rows(stmt, columns: columns.count) { out.append($0) }
            return (out, highest)
        }
    }

    public func rows(of table: String, columns: [String], keyColumn: String, keys: [String]) throws(SourceError) -> [POSRow] {
        if keys.isEmpty { return [] }
        // In key order, so each query walks one stretch of the index; the rows come in index order.
        var unique: [String] = []
        unique.reserveCapacity(keys.count)
        for k in keys.sorted() where unique.last != k { unique.append(k) }
        let lookup: @Sendable (Database, ArraySlice<String>) throws -> [POSRow] = { db, keys in
            var out: [POSRow] = []
            out.reserveCapacity(keys.count)
            for start in stride(from: keys.startIndex, to: keys.endIndex, by: Self.chunk) {
                let part = keys[start..<min(keys.endIndex, start + Self.chunk)]
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                let sql = "SELECT rowid, \(Self.list(columns)) FROM \(Self.quote(table)) INDEXED BY \(Self.quote(table + "_pk"))"
                    + " WHERE \(Self.quote(keyColumn)) IN (\(marks))"
                let stmt = try db.cachedStatement(sql: sql)
                Self.bind(part, to: stmt.sqliteStatement)
                try Self.rows(stmt, columns: columns.count) { out.append($0) }
            }
            return out
        }
        guard unique.count >= 2 * Self.chunk else {
            return try read(table) { db in try lookup(db, unique[...]) }
        }
        // Half the chunks on the second connection, at the same time.
        let half = (unique.count / 2 + Self.chunk - 1) / Self.chunk * Self.chunk
        let secondKeys = unique[half...]
        nonisolated(unsafe) var second: Result<[POSRow], SourceError> = .success([])
        let done = DispatchSemaphore(value: 0)
        lookupThread.async { [lookupQueue, label] in
            second = Result { () throws(SourceError) in
                try Self.read(table, on: lookupQueue, label: label) { db in try lookup(db, secondKeys) }
            }
            done.signal()
        }
        let first = Result { () throws(SourceError) in try read(table) { db in try lookup(db, unique[..<half]) } }
        done.wait()
        return try first.get() + second.get()
    }
}
