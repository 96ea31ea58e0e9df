public import LedgerCore
public import Logging

/// The changes of a point-of-sale database with the standard change log
/// `log_table_sync_change(id, table_name, pk, op, change_time)`, read through any ``POSDatabase``.
///
/// The source keeps no position between calls: everything is in the cursor (see `POSSourceState`),
/// so a crash or a dropped connection (`SourceError.unavailable`) is retried with the same cursor.
/// It may deliver a row version twice (the pipeline's delta is idempotent); it never skips one
/// that was visible when read, within the rules below.
///
/// Phases:
/// 1. **Backfill** (cursor nil). First the highest change id `M` is read (and the ids below it
///    that are not visible yet become gaps, see ``ChangeLogCursor``), then every table of the
///    mapping is streamed in row-id order, `limit` rows per batch. Rows that change during the
///    backfill are caught up by the change log after `M`. Rows with an empty key are delivered
///    too (the normalizer dead-letters them).
///    With ``Options/backfillDays`` the backfill instead takes only the rows named by I/U entries
///    up to `M` whose `change_time` is at or after `now - days` (clock time, written in the POS
///    server's local time, ``Options/changeTimeUTCOffsetSeconds``), fetched by key; each table's
///    highest row id is noted first so orphan scanning starts there.
/// 2. **Changes**: the log is polled after the cursor's `last_id` (plus its gaps). All entries of
///    one batch naming the same record are resolved with one fetch of the record's current rows
///    (the highest row id wins): a found row is delivered as `.row` (after a `.delete` when the
///    batch also holds an earlier D for it); no row and a D entry is a `.delete`; no row and only
///    I/U entries delivers nothing (the delete follows or came before). Entries with an empty key
///    are `.malformed`; entries of tables not in the mapping are ignored.
/// 3. **Orphans**: once a poll finds the log caught up, each table's rows above its `row_hw` mark
///    are read in row-id order and those whose key is empty, blank or NULL are delivered as rows
///    (the POS stores a malformed record as an extra row whose change entry names the real key, so
///    the log never leads to it). Rows with a key are skipped here: the log delivers them. The
///    cost is one extra read of each newly inserted row. It relies on new rows getting higher row
///    ids: an orphan written into a reused row id (SQLite reuses the highest id after it is
///    deleted), blanked by an in-place UPDATE, or committed after a higher row id was scanned
///    (MariaDB) is not seen, which loses only a dead letter, never a valid row.
///
/// Cursor fields: `phase` (`backfill`, `mark`, `window`, `changes`); `last_id` and `gaps` (see
/// ``ChangeLogCursor``; during the backfill `last_id` is `M`); `row_hw.<table>` (orphan-scan
/// marks); `table` and `after_row` while streaming or marking a table; `after_id` and `since` in
/// the `--days` window. E.g. `phase=backfill table=sales after_row=5000 last_id=8300 gaps=
/// row_hw.products=300 row_hw.receipts=2000`, then `phase=changes last_id=9210 gaps=9198@1795000000
/// row_hw.products=336 row_hw.receipts=2031 row_hw.sales=6777`.
public final class POSChangeLogSource: ChangeSource {
    /// How the source reads.
    public struct Options: Sendable {
        /// When set, the backfill takes only rows changed (I/U) in the last this many days.
        public var backfillDays: Int?
        /// Gap tracking of the change log (overlap window, cap).
        public var gapRules: ChangeLogCursor.Rules
        /// When the backfill starts, ids among the last this many below `M` that are not visible
        /// become gaps, so a transaction still open then is not missed.
        public var backfillGapLookback: Int64
        /// The POS server's offset from UTC in seconds: `change_time` is its local time.
        public var changeTimeUTCOffsetSeconds: Int64

        public init(
            backfillDays: Int? = nil,
            gapRules: ChangeLogCursor.Rules = .init(),
            backfillGapLookback: Int64 = 1000,
            changeTimeUTCOffsetSeconds: Int64 = 0
        ) {
            self.backfillDays = backfillDays
            self.gapRules = gapRules
            self.backfillGapLookback = backfillGapLookback
            self.changeTimeUTCOffsetSeconds = changeTimeUTCOffsetSeconds
        }
    }

    /// One mapped table: its columns (fields' columns, key first) and key column.
    struct Table: Sendable {
        var entity: String
        var name: String
        var columns: [String]
        var keyColumn: String
        /// Read only when the database has it (``EntityMapping/optional``).
        var optional = false
    }

    public let name: String
    public let database: any POSDatabase
    public let options: Options
    let tables: [Table]
    let clock: SourceClock
    let logger: Logger

    /// A source named `name` over `database`, reading the tables of `mapping` (one key column each);
    /// it logs through `logger` (e.g. change-log ids given up after the overlap window).
    public init(
        name: String = "pos",
        database: any POSDatabase,
        mapping: SourceMapping = .standardPOS(),
        options: Options = Options(),
        clock: SourceClock = .system,
        logger: Logger
    ) {
        self.logger = logger
        self.name = name
        self.database = database
        self.options = options
        self.clock = clock
        tables = mapping.entities.map { e in
            let key = e.keyColumns.first ?? e.fields.first?.column ?? ""
            var columns = [key]
            for f in e.fields where !columns.contains(f.column) { columns.append(f.column) }
            return Table(entity: e.entity, name: e.table, columns: columns, keyColumn: key, optional: e.optional)
        }
    }

    public func nextBatch(after cursor: SourceCursor?, limit: Int) throws(SourceError) -> SourceBatch {
        let limit = max(1, limit)
        let state: POSSourceState
        if let cursor {
            state = try POSSourceState(decoding: cursor, tables: tables.map(\.name))
        } else {
            state = try start()
        }
        switch state.phase {
        case .backfill(let t, let after): return try backfill(state, table: t, afterRow: after, limit: limit)
        case .mark(let t, let after, let since): return try mark(state, table: t, afterRow: after, since: since, limit: limit)
        case .window(let after, let since): return try window(state, afterID: after, since: since, limit: limit)
        case .changes: return try poll(state, limit: limit)
        }
    }

    /// The state of a fresh backfill: `M`, the gaps just below it, and the first phase.
    func start() throws(SourceError) -> POSSourceState {
        let top = try database.maxChangeID()
        let now = clock.now()
        var log = ChangeLogCursor(lastID: top)
        let low = max(0, top - max(0, options.backfillGapLookback))
        if low < top {
            let visible = Set(try database.changes(after: low, limit: Int(top - low)).map(\.id))
            var id = low + 1
            while id < top {
                if !visible.contains(id) {
                    var end = id
                    while end + 1 < top, !visible.contains(end + 1) { end += 1 }
                    log.gaps.append(ChangeLogGap(ids: id...end, firstSeen: now))
                    id = end
                }
                id += 1
            }
        }
        if let days = options.backfillDays {
            let since = ChangeTime.format(unixSeconds: now - Int64(days) * 86_400 + options.changeTimeUTCOffsetSeconds)
            let phase: POSSourceState.Phase = tables.isEmpty ? .window(afterID: 0, since: since) : .mark(table: 0, afterRow: 0, since: since)
            return POSSourceState(phase: phase, log: log, rowHighWater: [:])
        }
        return POSSourceState(phase: tables.isEmpty ? .changes : .backfill(table: 0, afterRow: 0), log: log, rowHighWater: [:])
    }

    func backfill(_ state: POSSourceState, table t: Int, afterRow: Int64, limit: Int) throws(SourceError) -> SourceBatch {
        let table = tables[t]
        if try isAbsent(table) {
            var next = state
            next.phase = t + 1 < tables.count ? .backfill(table: t + 1, afterRow: 0) : .changes
            return SourceBatch(changes: [], cursor: encode(next), hasMore: true)
        }
        var batch: SourceBatch
        let lastRowID: Int64?
        if database.readsTextRows {
            // The rows go into one text buffer, as ``sourceRow(_:_:changeID:)`` would make them.
            var block = TextRowBlock(entity: table.entity, columns: table.columns, source: name, table: table.name,
                                     numbering: .rowID, keyColumn: 0, keyFromBytes: true, reservingRecords: min(limit, 1 << 16))
            lastRowID = try database.rows(of: table.name, columns: table.columns, afterRowID: afterRow, limit: limit, into: &block)
            batch = SourceBatch(textRows: block, cursor: SourceCursor(), hasMore: true)
        } else {
            let rows = try database.rows(of: table.name, columns: table.columns, afterRowID: afterRow, limit: limit)
            lastRowID = rows.last?.rowID
            batch = SourceBatch(changes: rows.map { SourceChange.row(sourceRow(table, $0, changeID: nil)) }, cursor: SourceCursor(), hasMore: true)
        }
        let read = batch.count
        var next = state
        if read < limit {
            next.rowHighWater[table.name] = lastRowID ?? afterRow
            next.phase = t + 1 < tables.count ? .backfill(table: t + 1, afterRow: 0) : .changes
        } else {
            next.phase = .backfill(table: t, afterRow: lastRowID ?? afterRow)
        }
        batch.cursor = encode(next)
        if t == 0 && afterRow == 0 { batch.estimatedRemaining = backfillSize().map { max(0, $0 - read) } }
        return batch
    }

    /// About the rows a backfill will read (those of every table now); nil when a count fails, which
    /// leaves the delta state to grow as before. Read once, with the first batch.
    func backfillSize() -> Int? {
        var n = 0
        for table in tables {
            guard let absent = try? isAbsent(table) else { return nil }
            if absent { continue }
            guard let count = try? database.estimatedRowCount(of: table.name) else { return nil }
            n += count
        }
        return n
    }

    /// Whether `table` is optional and missing from the database, so the source skips it.
    func isAbsent(_ table: Table) throws(SourceError) -> Bool {
        table.optional ? !(try database.hasTable(table.name)) : false
    }

    func encode(_ state: POSSourceState) -> SourceCursor { state.encoded(tables: tables.map(\.name)) }

    func sourceRow(_ table: Table, _ row: POSRow, changeID: Int64?) -> SourceRow {
        let key: String? = switch row.values.first {
        case .text(let s): s
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        case .null, nil: nil
        }
        return SourceRow(
            entity: table.entity,
            position: SourcePosition(source: name, table: table.name, rowID: row.rowID, changeID: changeID, key: key),
            columns: table.columns,
            values: row.values
        )
    }
}
