import GRDB
import GRDBSQLite
import LedgerLog
import LedgerProjection

extension SQLiteAnalyticsTarget {
    /// Writes one batch inside the caller's transaction: stored sales lines and baskets are read
    /// first (point lookups), then rows, basket lines, pairs, dead letters and the checkpoint.
    func write(_ batch: AnalyticsBatch, checkpoint: ProjectionCheckpoint, _ db: Database) throws {
        // Stored lines of the sales this batch changes. Ids above the largest stored one (a backfill's
        // new sales) and receipts above the largest stored basket need no lookup.
        var stored: [Int64: BasketLine] = [:]
        if let maxSale = try Int64.fetchOne(db, sql: "SELECT max(sale_id) FROM sales") {
            let q = RawStatement(try db.cachedStatement(sql: "SELECT receipt_no, product_code FROM sales WHERE sale_id = ?"))
            for id in batch.saleIDs where id <= maxSale {
                q.bind(1, id)
                try q.rows { s in
                    if let r = RawStatement.int64(s, 0), let c = RawStatement.text(s, 1) { stored[id] = BasketLine(receiptNo: r, productCode: c) }
                }
            }
        }
        let maxReceipt = try Int64.fetchOne(db, sql: "SELECT max(receipt_no) FROM basket_lines")
        let basketQuery = RawStatement(try db.cachedStatement(sql: "SELECT product_code, lines FROM basket_lines WHERE receipt_no = ?"))
        let delta = try batch.coOccurrence(storedLines: stored) { (receipt: Int64) throws -> [ExactText: Int64] in
            guard let maxReceipt, receipt <= maxReceipt else { return [:] }
            var lines: [ExactText: Int64] = [:]
            basketQuery.bind(1, receipt)
            try basketQuery.rows { s in
                if let c = RawStatement.text(s, 0) { lines[ExactText(c)] = sqlite3_column_int64(s, 1) }
            }
            return lines
        }

        try writeEffects(batch.effects, db)
        try writeCoOccurrence(delta, db)
        try Self.writeState(deadLetters: batch.deadLetters, checkpoint: checkpoint, projector: name, db)
    }

    /// Writes the projector's own state: its dead letters and checkpoint. The live batches and the
    /// rebuild (``SQLiteReplay``) both end with it.
    static func writeState(deadLetters: [ProjectionDeadLetter], checkpoint: ProjectionCheckpoint, projector: String, _ db: Database) throws {
        let now = Timestamp(microseconds: LogClock.system.now()).iso8601
        for l in deadLetters {
            try db.execute(sql: """
                INSERT OR REPLACE INTO projector_dead_letters (projector, event_offset, entity, key, reason, event, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [projector, Int64(l.offset), l.entity, l.key, l.reason, l.eventJSON, now])
        }
        guard checkpoint.nextOffset > 0 else { return }
        try db.execute(sql: """
            INSERT INTO projector_checkpoint (projector, next_offset, last_hash, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (projector) DO UPDATE SET next_offset = excluded.next_offset, last_hash = excluded.last_hash, updated_at = excluded.updated_at
            """, arguments: [projector, Int64(checkpoint.nextOffset), checkpoint.lastHash.hex, now])
    }

    /// Writes the batch's row effects (at most one per table and key, so their order does not
    /// matter): each table's upserts through multi-row statements, then the deletes.
    private func writeEffects(_ effects: [AnalyticsChange], _ db: Database) throws {
        var upserts: [String: (table: AnalyticsTable, rows: [[AnalyticsValue]])] = [:]
        var deletes: [(table: AnalyticsTable, key: AnalyticsValue)] = []
        for change in effects {
            switch change {
            case .upsert(let table, let values): upserts[table.name, default: (table, [])].rows.append(values)
            case .delete(let table, let key): deletes.append((table, key))
            case .ignore, .poison: continue
            }
        }
        for (_, u) in upserts.sorted(by: { $0.key < $1.key }) {
            try BulkInsert(db, SQLiteAnalyticsSchema.upsertHead(u.table), columns: u.table.allColumns.count).insert(u.rows) { s, first, values in
                for (i, v) in values.enumerated() { s.bind(first + Int32(i), v) }
            }
        }
        var statements: [String: RawStatement] = [:]
        for (table, key) in deletes {
            let s: RawStatement
            if let d = statements[table.name] { s = d } else {
                s = RawStatement(try db.cachedStatement(sql: "DELETE FROM \(table.name) WHERE \(table.key.name) = ?"))
                statements[table.name] = s
            }
            s.bind(1, key)
            try s.execute()
        }
    }

    private func writeCoOccurrence(_ delta: CoOccurrenceDelta, _ db: Database) throws {
        guard !delta.isEmpty else { return }
        // In key order: B-tree writes then touch each page once. Lines and pairs that are set or
        // added go through multi-row statements.
        let lines = delta.lines.sorted(by: { $0.key < $1.key })
        try BulkInsert(db, "INSERT OR REPLACE INTO basket_lines (receipt_no, product_code, lines) VALUES", columns: 3)
            .insert(lines.filter { $0.value > 0 }) { s, first, l in
                s.bind(first, l.key.receiptNo)
                s.bind(first + 1, l.key.productCode)
                s.bind(first + 2, l.value)
            }
        let dropLine = RawStatement(try db.cachedStatement(sql: "DELETE FROM basket_lines WHERE receipt_no = ? AND product_code = ?"))
        for (line, n) in lines where n <= 0 {
            dropLine.bind(1, line.receiptNo)
            dropLine.bind(2, line.productCode)
            try dropLine.execute()
        }
        let pairs = CoOccurrence.sorted(delta.pairs)
        try BulkInsert(db, "INSERT INTO also_bought (product_a, product_b, receipts) VALUES",
                       tail: "ON CONFLICT (product_a, product_b) DO UPDATE SET receipts = receipts + excluded.receipts", columns: 3)
            .insert(pairs.filter { $0.receipts > 0 }) { s, first, p in
                s.bind(first, p.pair.a)
                s.bind(first + 1, p.pair.b)
                s.bind(first + 2, p.receipts)
            }
        let subtract = RawStatement(try db.cachedStatement(sql: "UPDATE also_bought SET receipts = receipts + ? WHERE product_a = ? AND product_b = ?"))
        let dropZero = RawStatement(try db.cachedStatement(sql: "DELETE FROM also_bought WHERE product_a = ? AND product_b = ? AND receipts <= 0"))
        for (pair, n) in pairs where n < 0 {
            subtract.bind(1, n)
            subtract.bind(2, pair.a)
            subtract.bind(3, pair.b)
            try subtract.execute()
            dropZero.bind(1, pair.a)
            dropZero.bind(2, pair.b)
            try dropZero.execute()
        }
    }
}
