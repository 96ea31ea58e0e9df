import LedgerCore

extension POSChangeLogSource {
    /// `--days`, first step: note each table's highest row id (reading the key column only), so the
    /// orphan scan after the backfill starts there.
    func mark(_ state: POSSourceState, table t: Int, afterRow: Int64, since: String, limit: Int) throws(SourceError) -> SourceBatch {
        let table = tables[t]
        let chunk = max(limit, 10_000)
        var after = afterRow
        var next = state
        if try isAbsent(table) {
            next.phase = t + 1 < tables.count ? .mark(table: t + 1, afterRow: 0, since: since) : .window(afterID: 0, since: since)
            return SourceBatch(changes: [], cursor: encode(next), hasMore: true)
        }
        for _ in 0..<8 {
            let rows = try database.rows(of: table.name, columns: [table.keyColumn], afterRowID: after, limit: chunk)
            after = rows.last?.rowID ?? after
            if rows.count < chunk {
                next.rowHighWater[table.name] = after
                next.phase = t + 1 < tables.count ? .mark(table: t + 1, afterRow: 0, since: since) : .window(afterID: 0, since: since)
                return SourceBatch(changes: [], cursor: encode(next), hasMore: true)
            }
        }
        next.phase = .mark(table: t, afterRow: after, since: since)
        return SourceBatch(changes: [], cursor: encode(next), hasMore: true)
    }

    /// `--days`, second step: the change log up to `last_id`, taking the I/U entries at or after
    /// `since` and delivering their records' current rows.
    func window(_ state: POSSourceState, afterID: Int64, since: String, limit: Int) throws(SourceError) -> SourceBatch {
        let top = state.log.lastID
        var next = state
        let entries = afterID < top ? try database.changes(after: afterID, limit: limit).filter { $0.id <= top } : []
        let recent = entries.filter { $0.op != .delete && $0.changeTime >= since }
        let changes = try resolve(recent)
        if entries.isEmpty || entries[entries.count - 1].id >= top {
            next.phase = .changes
        } else {
            next.phase = .window(afterID: entries[entries.count - 1].id, since: since)
        }
        return SourceBatch(changes: changes, cursor: encode(next), hasMore: true)
    }
}
