import LedgerCore
import Logging

extension POSChangeLogSource {
    /// One poll of the change log (gaps re-checked first), then, when caught up, the orphan scan.
    func poll(_ state: POSSourceState, limit: Int) throws(SourceError) -> SourceBatch {
        let now = clock.now()
        let gapIDs = state.log.gapIDs
        let rechecked = gapIDs.isEmpty ? [] : try database.changes(ids: gapIDs)
        let polled = try database.changes(after: state.log.lastID, limit: limit)
        let step = state.log.advance(polled: polled, rechecked: rechecked, now: now, rules: options.gapRules)
        for ids in step.expired {
            logger.warning("change-log ids never became visible within the overlap window; given up", metadata: [
                "source": "\(database.label)", "ids": "\(ids.lowerBound)-\(ids.upperBound)",
            ])
        }
        var changes = try resolve(step.entries)
        var next = state
        next.log = step.cursor
        var hasMore = polled.count >= limit
        if !hasMore {
            hasMore = try scanOrphans(&next, into: &changes, limit: limit)
        }
        return SourceBatch(changes: changes, cursor: encode(next), hasMore: hasMore)
    }

    /// Scans each table's rows above its `row_hw` mark and delivers those with a blank key; true
    /// when a table has more candidates than `limit`. The database filters the rows, so a scan over
    /// rows that all have keys reads none of them.
    func scanOrphans(_ state: inout POSSourceState, into changes: inout [SourceChange], limit: Int) throws(SourceError) -> Bool {
        var more = false
        for table in tables where try !isAbsent(table) {
            let after = state.rowHighWater[table.name] ?? 0
            let scan = try database.blankKeyCandidates(
                of: table.name, columns: table.columns, keyColumn: table.keyColumn, afterRowID: after, limit: limit)
            for row in scan.rows where Self.isBlankKey(row.values[0]) {
                changes.append(.row(sourceRow(table, row, changeID: nil)))
            }
            // A full page ends the scan at its last row; a shorter one has seen every row up to
            // the highest.
            if let last = scan.rows.last, scan.rows.count >= limit {
                state.rowHighWater[table.name] = last.rowID
                more = true
            } else {
                state.rowHighWater[table.name] = max(after, scan.highest)
            }
        }
        return more
    }

    /// Turns entries (in id order) into changes: one fetch per table for all keys they name, the
    /// current row (highest row id) being the truth; see the type's documentation.
    func resolve(_ entries: [ChangeLogEntry]) throws(SourceError) -> [SourceChange] {
        var out: [(id: Int64, change: SourceChange)] = []
        out.reserveCapacity(entries.count)
        // The entries of each table, in one pass.
        var byTable = [[Int]](repeating: [], count: tables.count)
        for (k, e) in entries.enumerated() {
            if let t = tables.firstIndex(where: { $0.name == e.table }) { byTable[t].append(k) }
        }
        for (t, table) in tables.enumerated() {
            let mine = byTable[t]
            if mine.isEmpty { continue }
            // Per key, in order of first appearance: its newest upsert and delete entries and, once
            // fetched, its current row.
            var records: [(key: String, upsert: ChangeLogEntry?, delete: ChangeLogEntry?, row: POSRow?)] = []
            var slot: [String: Int] = [:]
            slot.reserveCapacity(mine.count)
            for k in mine {
                let e = entries[k]
                if Self.isBlankKey(.text(e.pk)) {
                    let position = SourcePosition(source: name, table: table.name, changeID: e.id, key: e.pk)
                    out.append((e.id, .malformed(SourceMalformed(
                        entity: table.entity, position: position, raw: Self.json(e), reason: "change-log entry with an empty key"))))
                    continue
                }
                let i = slot[e.pk, default: records.count]
                if i == records.count {
                    slot[e.pk] = i
                    records.append((e.pk, nil, nil, nil))
                }
                if e.op == .delete { records[i].delete = e } else { records[i].upsert = e }
            }
            if !records.isEmpty {
                for row in try database.rows(of: table.name, columns: table.columns, keyColumn: table.keyColumn, keys: records.map(\.key)) {
                    guard case .text(let k) = row.values[0], let i = slot[k] else { continue }
                    if let seen = records[i].row, seen.rowID > row.rowID { continue }
                    records[i].row = row
                }
            }
            for r in records {
                if let row = r.row {
                    let lastID = max(r.upsert?.id ?? 0, r.delete?.id ?? 0)
                    if let delete = r.delete, let upsert = r.upsert, delete.id < upsert.id {
                        out.append((delete.id, .delete(deleteChange(table, delete))))
                    }
                    out.append((lastID, .row(sourceRow(table, row, changeID: lastID))))
                } else if let delete = r.delete {
                    out.append((delete.id, .delete(deleteChange(table, delete))))
                }
            }
        }
        out.sort { $0.id < $1.id }
        return out.map(\.change)
    }

    func deleteChange(_ table: Table, _ e: ChangeLogEntry) -> SourceDelete {
        SourceDelete(
            entity: table.entity,
            position: SourcePosition(source: name, table: table.name, changeID: e.id, key: e.pk),
            keyColumns: [table.keyColumn],
            keyValues: [.text(e.pk)]
        )
    }

    /// NULL, empty, or only whitespace, NBSP and control characters: what the normalizer makes NULL.
    static func isBlankKey(_ value: RawValue) -> Bool {
        switch value {
        case .null: return true
        case .text(let s):
            // Nearly every key starts with a printable ASCII character.
            if let first = s.utf8.first, first > 0x20, first < 0x7F { return false }
            return s.unicodeScalars.allSatisfy { $0.properties.isWhitespace || $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
        case .bytes(let b): return b.allSatisfy { $0 <= 0x20 || $0 == 0x7F }
        }
    }

    /// An entry as one JSON object, for dead letters.
    static func json(_ e: ChangeLogEntry) -> String {
        func quote(_ s: String) -> String {
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where u.value < 0x20:
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(u)
                }
            }
            return out + "\""
        }
        return "{\"id\":\(e.id),\"table_name\":\(quote(e.table)),\"pk\":\(quote(e.pk)),\"op\":\(quote(e.op.rawValue)),\"change_time\":\(quote(e.changeTime))}"
    }
}
