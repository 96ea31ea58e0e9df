import GRDB
import GRDBSQLite
import LedgerCore

extension SQLitePOSDatabase {
    /// Runs `body` in a read transaction, mapping every error to a `SourceError` naming the file
    /// and the table.
    func read<T>(_ table: String, _ body: (Database) throws -> T) throws(SourceError) -> T {
        try Self.read(table, on: queue, label: label, body)
    }

    /// ``read(_:_:)`` on `connection`, for the file `label` names.
    static func read<T>(_ table: String, on connection: DatabaseQueue, label: String, _ body: (Database) throws -> T) throws(SourceError) -> T {
        do {
            return try connection.read { db in try body(db) }
        } catch let error as SourceError {
            throw error
        } catch {
            throw sourceError(error, label: label, what: table)
        }
    }

    static func sourceError(_ error: any Error, label: String, what: String) -> SourceError {
        guard let e = error as? DatabaseError else {
            return SourceError(.unavailable, context: "\(label) \(what)", cause: "\(error)")
        }
        let message = e.message ?? "SQLite error \(e.resultCode.rawValue)"
        let code: SourceError.Code
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_PROTOCOL, .SQLITE_INTERRUPT, .SQLITE_NOMEM:
            code = .unavailable
        case .SQLITE_CANTOPEN:
            code = .notFound
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            code = .badInput
        case .SQLITE_ERROR where message.contains("no such") || message.contains("syntax"):
            code = .badSchema
        default:
            code = .unavailable
        }
        return SourceError(code, context: "\(label) \(what)", cause: message)
    }

    /// Steps `stmt` (columns: rowid, then `columns` values), handing each row to `body`.
    /// Steps the statement with `sqlite3_step` itself (GRDB has bound the arguments): the backfill's
    /// hot loop, without a cursor's per-row bookkeeping.
    static func rows(_ stmt: Statement, columns: Int, _ body: (POSRow) -> Void) throws {
        let s = stmt.sqliteStatement
        try step(stmt) {
            var values: [RawValue] = []
            values.reserveCapacity(columns)
            for i in 0..<Int32(columns) {
                values.append(value(s, i + 1))
            }
            body(POSRow(rowID: sqlite3_column_int64(s, 0), values: values))
        }
    }

    /// ``rows(_:columns:_:)`` added to `block` as they are stepped, each value's bytes copied from
    /// SQLite's buffer; returns the last row id.
    static func rows(_ stmt: Statement, columns: Int, into block: inout TextRowBlock) throws -> Int64? {
        let s = stmt.sqliteStatement
        var last: Int64? = nil
        try step(stmt) {
            let rowID = sqlite3_column_int64(s, 0)
            block.beginRow(rowID)
            for i in 1...Int32(columns) {
                withColumn(s, i) { column in
                    switch column {
                    case .null: block.appendNull()
                    case .blob(let b): block.appendBytes(b)
                    case .text(let t): block.appendValue(t)
                    }
                }
            }
            _ = block.endRow()
            last = rowID
        }
        return last
    }

    /// Steps `stmt` to its end, calling `row` at each row, and resets it.
    private static func step(_ stmt: Statement, _ row: () -> Void) throws {
        let s = stmt.sqliteStatement
        defer { sqlite3_reset(s) }
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                let message = sqlite3_db_handle(s).flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message)
            }
            row()
        }
    }

    /// Binds `keys` as text to parameters 1, 2, … of `s` (copied by SQLite), without going through
    /// GRDB's argument values.
    static func bind(_ keys: ArraySlice<String>, to s: OpaquePointer) {
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, key) in keys.enumerated() {
            var key = key
            key.withUTF8 { bytes in
                if let base = bytes.baseAddress, bytes.count > 0 {
                    _ = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        sqlite3_bind_text(s, Int32(i + 1), $0, Int32(bytes.count), transient)
                    }
                } else {
                    _ = sqlite3_bind_text(s, Int32(i + 1), "", 0, transient)
                }
            }
        }
    }

    /// The change-log entries `stmt` selects (columns: id, table_name, pk, op, change_time), stepped
    /// with `sqlite3_step` as ``rows(_:columns:_:)`` does.
    static func entries(_ stmt: Statement) throws -> [ChangeLogEntry] {
        var out: [ChangeLogEntry] = []
        let s = stmt.sqliteStatement
        func text(_ i: Int32) -> String {
            switch value(s, i) {
            case .text(let t): t
            case .bytes(let b): String(decoding: b, as: UTF8.self)
            case .null: ""
            }
        }
        try step(stmt) {
            // An op other than I, U or D is read as U: the record's current row is fetched,
            // which is right whatever the change was.
            let op = ChangeLogEntry.Op(rawValue: text(3).trimmingSpaces) ?? .update
            out.append(ChangeLogEntry(id: sqlite3_column_int64(s, 0), table: text(1), pk: text(2), op: op, changeTime: text(4)))
        }
        return out
    }

    /// The value of column `i` of the current row.
    @inline(__always)
    static func value(_ s: OpaquePointer, _ i: Int32) -> RawValue {
        withColumn(s, i) { column in
            switch column {
            case .null: .null
            case .blob(let b): .bytes(Array(b))
            case .text(let t): TextBytes.rawValue(t)
            }
        }
    }

    /// Column `i` of the current row as SQLite holds it, valid only inside `body`.
    enum Column {
        case null
        case blob(UnsafeRawBufferPointer)
        /// The text (of a number, its text form), UTF-8 unless the database holds other bytes.
        case text(UnsafeRawBufferPointer)
    }

    /// Calls `body` with column `i` of the current row. One call into the statement per column,
    /// then the value's own accessors: each `sqlite3_column_*` call looks the column up and checks
    /// for errors again. The value is used at once, on the connection's thread, as SQLite allows for
    /// an unprotected one.
    @inline(__always)
    static func withColumn<R>(_ s: OpaquePointer, _ i: Int32, _ body: (Column) -> R) -> R {
        guard let v = sqlite3_column_value(s, i) else { return body(.null) }
        switch sqlite3_value_type(v) {
        case SQLITE_NULL: return body(.null)
        case SQLITE_BLOB: return body(.blob(UnsafeRawBufferPointer(start: sqlite3_value_blob(v), count: Int(sqlite3_value_bytes(v)))))
        default: return body(.text(UnsafeRawBufferPointer(start: sqlite3_value_text(v), count: Int(sqlite3_value_bytes(v)))))
        }
    }

    static func quote(_ name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }

    static func list(_ columns: [String]) -> String {
        columns.map(quote).joined(separator: ", ")
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        let u = utf8
        guard u.first == 0x20 || u.last == 0x20 else { return self }
        var lo = u.startIndex, hi = u.endIndex
        while lo < hi && u[lo] == 0x20 { lo = u.index(after: lo) }
        while hi > lo && u[u.index(before: hi)] == 0x20 { hi = u.index(before: hi) }
        return String(self[lo..<hi])
    }
}
