import GRDB
import GRDBSQLite
import LedgerLog
import LedgerProjection

/// A GRDB statement bound and stepped through the SQLite C API: the projection's hot loop,
/// without building `StatementArguments` per row.
///
/// Text parameters are copied into a ``BindArena`` and bound in place (`SQLITE_STATIC`) instead of
/// being copied by SQLite, which cost a `malloc` and a `free` per parameter; the bindings are cleared
/// and the arena reused once the statement has run.
struct RawStatement {
    let handle: OpaquePointer
    /// Keeps the statement (and so its handle) alive: GRDB finalizes it on deinit.
    private let statement: Statement
    private let arena = BindArena()

    init(_ statement: Statement) {
        self.statement = statement
        handle = statement.sqliteStatement
    }

    @inline(__always)
    func bind(_ i: Int32, _ text: String) {
        var s = text
        s.withUTF8 { b in bind(i, UnsafeRawBufferPointer(b)) }
    }

    /// Binds UTF-8 `bytes`, copied into the arena, as text.
    @inline(__always)
    private func bind(_ i: Int32, _ bytes: UnsafeRawBufferPointer) {
        if bytes.isEmpty {
            sqlite3_bind_text(handle, i, "", 0, nil)
        } else {
            sqlite3_bind_text(handle, i, arena.store(bytes).assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
        }
    }

    @inline(__always)
    func bind(_ i: Int32, _ value: Int64) { sqlite3_bind_int64(handle, i, value) }

    @inline(__always)
    func bind(_ i: Int32, _ value: AnalyticsValue) {
        switch value {
        case .null: sqlite3_bind_null(handle, i)
        case .bigint(let v): sqlite3_bind_int64(handle, i, v)
        case .text(let s): bind(i, s)
        case .numeric(let d): bind(i, d.text)
        case .timestamp(let t): bind(i, t)
        }
    }

    /// Binds `t` as `Timestamp.iso8601` text (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), formatted on the stack.
    @inline(__always)
    func bind(_ i: Int32, _ t: Timestamp) {
        t.withISO8601Bytes { b in bind(i, UnsafeRawBufferPointer(b)) }
    }

    /// Steps a statement that returns no rows, then resets it and clears its bindings.
    func execute() throws {
        let rc = sqlite3_step(handle)
        finish()
        guard rc == SQLITE_DONE else { throw error(rc) }
    }

    /// Steps a query, handing each row to `body`, then resets it and clears its bindings.
    func rows(_ body: (OpaquePointer) throws -> Void) throws {
        defer { finish() }
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error(rc) }
            try body(handle)
        }
    }

    /// Resets the statement and drops its bindings, so none points into the arena it then reuses.
    private func finish() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        arena.reset()
    }

    private func error(_ rc: Int32) -> DatabaseError {
        let message = sqlite3_db_handle(handle).flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: rc), message: message)
    }

    /// Column `i` of the current row as text, nil for NULL.
    @inline(__always)
    static func text(_ s: OpaquePointer, _ i: Int32) -> String? {
        guard sqlite3_column_type(s, i) != SQLITE_NULL, let p = sqlite3_column_text(s, i) else { return nil }
        let n = Int(sqlite3_column_bytes(s, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// Column `i` of the current row as an integer, nil for NULL.
    @inline(__always)
    static func int64(_ s: OpaquePointer, _ i: Int32) -> Int64? {
        sqlite3_column_type(s, i) == SQLITE_NULL ? nil : sqlite3_column_int64(s, i)
    }
}
