import LedgerCore

/// Where a ``POSChangeLogSource`` is, decoded from and encoded to its `SourceCursor`.
///
/// Fields (all text):
/// * `phase`: `backfill`, `mark`, `window` or `changes`;
/// * `last_id`, `gaps`: the change-log position (``ChangeLogCursor``); during the backfill phases
///   `last_id` is the highest change id when the backfill started, where polling will begin;
/// * `row_hw.<table>`: the highest row id of the table already looked at for orphan rows;
/// * `backfill`/`mark`: `table` and `after_row` (the last row id read from that table);
/// * `mark`/`window`: `since`, the window's start as a `change_time` string;
/// * `window`: `after_id`, the last change id read in the window.
///
/// Example: `phase=backfill table=sales after_row=5000 last_id=8300 gaps= row_hw.products=300 row_hw.receipts=2000`.
struct POSSourceState: Sendable, Hashable {
    enum Phase: Sendable, Hashable {
        /// Streaming `tables[table]` in row-id order.
        case backfill(table: Int, afterRow: Int64)
        /// `--days`: finding each table's highest row id (key column only), before the window.
        case mark(table: Int, afterRow: Int64, since: String)
        /// `--days`: reading the change log up to `last_id` for entries at or after `since`.
        case window(afterID: Int64, since: String)
        /// Polling the change log.
        case changes
    }

    var phase: Phase
    var log: ChangeLogCursor
    var rowHighWater: [String: Int64]

    func encoded(tables: [String]) -> SourceCursor {
        var c = SourceCursor()
        switch phase {
        case .backfill(let t, let after):
            c["phase"] = "backfill"; c["table"] = tables[t]; c["after_row"] = String(after)
        case .mark(let t, let after, let since):
            c["phase"] = "mark"; c["table"] = tables[t]; c["after_row"] = String(after); c["since"] = since
        case .window(let after, let since):
            c["phase"] = "window"; c["after_id"] = String(after); c["since"] = since
        case .changes:
            c["phase"] = "changes"
        }
        log.write(into: &c)
        for (table, hw) in rowHighWater { c["row_hw.\(table)"] = String(hw) }
        return c
    }

    init(phase: Phase, log: ChangeLogCursor, rowHighWater: [String: Int64]) {
        self.phase = phase
        self.log = log
        self.rowHighWater = rowHighWater
    }

    init(decoding c: SourceCursor, tables: [String]) throws(SourceError) {
        func bad(_ why: String) -> SourceError { SourceError(.badInput, context: "pos cursor", cause: why) }
        func int(_ field: String) throws(SourceError) -> Int64 {
            guard let v = c[field].flatMap({ Int64($0) }), v >= 0 else { throw bad("\(field) missing or not a number") }
            return v
        }
        func table() throws(SourceError) -> Int {
            guard let name = c["table"], let i = tables.firstIndex(of: name) else { throw bad("unknown table") }
            return i
        }
        switch c["phase"] {
        case "backfill": phase = .backfill(table: try table(), afterRow: try int("after_row"))
        case "mark":
            guard let since = c["since"] else { throw bad("since missing") }
            phase = .mark(table: try table(), afterRow: try int("after_row"), since: since)
        case "window":
            guard let since = c["since"] else { throw bad("since missing") }
            phase = .window(afterID: try int("after_id"), since: since)
        case "changes": phase = .changes
        default: throw bad("unknown phase")
        }
        log = try ChangeLogCursor(reading: c)
        rowHighWater = [:]
        for (field, value) in c.values where field.hasPrefix("row_hw.") {
            guard let v = Int64(value), v >= 0 else { throw bad("\(field) not a number") }
            rowHighWater[String(field.dropFirst("row_hw.".count))] = v
        }
    }
}
