import LedgerLog
import LedgerProjection
import Logging
import NIOCore
import PostgresNIO

extension PostgresAnalyticsTarget {
    /// Writes one batch in one transaction on `c`. The rows are merged at once, while `reader` reads
    /// what the co-occurrence delta needs (the stored lines of the batch's sales, then the baskets
    /// their changes touch) outside the transaction: it sees the last commit, which is the state
    /// before this batch, and the two server processes work side by side. Basket lines and pairs,
    /// dead letters, `ingest_state` and the checkpoint follow. The server sorts each statement's
    /// rows by the table's key, so its probes walk the key index from left to right: in log order
    /// they probed it at random, and a batch's statements took about a tenth longer.
    func write(_ batch: AnalyticsBatch, checkpoint: ProjectionCheckpoint, on c: PostgresSession, reading reader: PostgresSession) async throws {
        let s = schema
        try await c.execute("BEGIN", logger: logger)
        async let effectsWritten: Void = writeEffects(batch.effects, on: c)
        // The largest stored sale id and basket receipt: new sales and receipts above them need no lookup.
        var maxSale: Int64? = nil
        var maxReceipt: Int64? = nil
        let bounds = try await reader.query(
            "SELECT (SELECT max(sale_id) FROM \(unescaped: s).sales), (SELECT max(receipt_no) FROM \(unescaped: s).basket_lines)",
            logger: logger)
        for try await (sale, receipt) in bounds.decode((Int64?, Int64?).self) {
            maxSale = sale
            maxReceipt = receipt
        }

        // Stored lines of the sales this batch changes, then the baskets their changes touch. Most
        // changes keep a sale's line (a quantity or a price changes): the server compares each stored
        // line with the sale's first line in the batch and returns only those that differ.
        var differing: [Int64: BasketLine?] = [:]
        if let maxSale {
            var firsts = PostgresArrayColumns(kinds: [.bigint, .bigint, .text])
            for (id, line) in batch.firstLines where id <= maxSale {
                firsts.append([.bigint(id), line.map { .bigint($0.receiptNo) } ?? .null, line.map { .text($0.productCode) } ?? .null])
            }
            if firsts.rows > 0 {
                let rows = try await reader.query(PostgresQuery(unsafeSQL: """
                    SELECT x.id, s.receipt_no, s.product_code
                    FROM \(firsts.unnest(["id", "receipt_no", "product_code"], orderBy: "id"))
                    LEFT JOIN \(s).sales s ON s.sale_id = x.id AND s.receipt_no IS NOT NULL AND s.product_code IS NOT NULL
                    WHERE s.receipt_no IS DISTINCT FROM x.receipt_no OR s.product_code IS DISTINCT FROM x.product_code
                    """, binds: firsts.bindings), logger: logger)
                for try await (id, receipt, code) in rows.decode((Int64, Int64?, String?).self) {
                    differing[id] = receipt.flatMap { r in code.map { BasketLine(receiptNo: r, productCode: $0) } }
                }
            }
        }
        let stored = batch.storedLines(differing: differing, maxStored: maxSale)
        let receipts = maxReceipt.map { m in batch.basketReceipts(storedLines: stored).filter { $0 <= m } } ?? []
        var baskets: [Int64: [String: Int64]] = [:]
        if !receipts.isEmpty {
            let rows = try await reader.query("""
                SELECT receipt_no, product_code, lines FROM \(unescaped: s).basket_lines WHERE receipt_no = ANY(\(Array(receipts)))
                """, logger: logger)
            for try await (receipt, code, lines) in rows.decode((Int64, String, Int64).self) { baskets[receipt, default: [:]][code] = lines }
        }
        let delta = batch.coOccurrence(storedLines: stored) { baskets[$0] ?? [:] }
        try await effectsWritten
        try await writeCoOccurrence(delta, on: c)
        try await Self.writeState(deadLetters: batch.deadLetters, lastEvents: batch.lastEvents, checkpoint: checkpoint,
                                  projector: name, schema: s, on: c, logger: logger)
        try await c.execute("COMMIT", logger: logger)
    }

    /// Turns off sequential scans and hash and merge joins for the rest of the session. A batch
    /// touches few rows of large tables, so it probes indexes. The planner's statistics cannot be
    /// trusted for that (a growing table's lag behind autovacuum), and one wrong guess scans a whole
    /// table per batch. Both of the target's connections are its own, so each sets this once when it
    /// opens, not in every batch's transaction.
    static let plannerSettings = "SELECT set_config('enable_hashjoin', 'off', false), set_config('enable_mergejoin', 'off', false), "
        + "set_config('enable_seqscan', 'off', false)"

    /// Writes the projector's own state into `schema`: dead letters (NUL, which text cannot hold,
    /// replaced; an event jsonb cannot hold left NULL), `ingest_state` and the checkpoint. The live
    /// batches and the replays both end with it.
    static func writeState(deadLetters: [ProjectionDeadLetter], lastEvents: [String: (offset: UInt64, time: Timestamp)],
                           checkpoint: ProjectionCheckpoint, projector: String, schema s: String,
                           on c: PostgresSession, logger: Logger) async throws {
        for l in deadLetters {
            let event: String? = l.eventJSON.contains("\\u0000") ? nil : l.eventJSON
            _ = try await c.query("""
                INSERT INTO \(unescaped: s).projector_dead_letters (projector, event_offset, entity, key, reason, event, recorded_at)
                VALUES (\(projector), \(Int64(l.offset)), \(clean(l.entity)), \(clean(l.key)), \(clean(l.reason)), \(event)::jsonb, now())
                ON CONFLICT (projector, event_offset) DO UPDATE SET reason = excluded.reason, event = excluded.event, recorded_at = excluded.recorded_at
                """, logger: logger)
        }
        if !lastEvents.isEmpty {
            let values = lastEvents.sorted { $0.key < $1.key }.map { "('\($0.key)', \($0.value.offset), '\($0.value.time.iso8601)', now())" }
            _ = try await c.query(PostgresQuery(unsafeSQL: """
                INSERT INTO \(s).ingest_state (entity, last_offset, last_event_time, updated_at) VALUES \(values.joined(separator: ", "))
                ON CONFLICT (entity) DO UPDATE SET last_offset = excluded.last_offset, last_event_time = excluded.last_event_time, updated_at = now()
                """), logger: logger)
        }
        guard checkpoint.nextOffset > 0 else { return }
        _ = try await c.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(s).projector_checkpoint (projector, next_offset, last_hash, updated_at)
            VALUES (\(PostgresConfiguration.literal(projector)), \(checkpoint.nextOffset), '\(checkpoint.lastHash.hex)', now())
            ON CONFLICT (projector) DO UPDATE SET next_offset = excluded.next_offset, last_hash = excluded.last_hash, updated_at = now()
            """), logger: logger)
    }

    /// Runs `sql` with `$1`, `$2`, ... bound to the arrays of `columns`.
    func exec(_ sql: String, binding columns: PostgresArrayColumns, on c: PostgresSession) async throws {
        _ = try await c.query(PostgresQuery(unsafeSQL: sql, binds: columns.bindings), logger: logger)
    }

    private func writeEffects(_ effects: [AnalyticsChange], on c: PostgresSession) async throws {
        var upserts: [String: PostgresArrayColumns] = [:]
        var textDeletes: [String: [String]] = [:]
        var bigintDeletes: [String: [Int64]] = [:]
        for change in effects {
            switch change {
            case .upsert(let table, let values):
                upserts[table.name, default: PostgresArrayColumns(kinds: table.allColumns.map(\.kind))].append(values)
            case .delete(let table, .bigint(let key)):
                bigintDeletes[table.name, default: []].append(key)
            case .delete(let table, .text(let key)):
                textDeletes[table.name, default: []].append(key)
            case .delete, .ignore, .poison:
                continue
            }
        }
        for table in AnalyticsSchema.entityTables {
            if let rows = upserts[table.name] {
                let source = rows.unnest(table.allColumns.map(\.name), orderBy: table.key.name)
                try await exec(Self.mergeSQL(table, from: source, into: schema), binding: rows, on: c)
            }
            if let keys = bigintDeletes[table.name] {
                _ = try await c.query("DELETE FROM \(unescaped: schema).\(unescaped: table.name) WHERE \(unescaped: table.key.name) = ANY(\(keys))", logger: logger)
            }
            if let keys = textDeletes[table.name] {
                _ = try await c.query("DELETE FROM \(unescaped: schema).\(unescaped: table.name) WHERE \(unescaped: table.key.name) = ANY(\(keys))", logger: logger)
            }
        }
    }

    /// `MERGE INTO schema.table USING source`: every column of a matched row is set, and an
    /// unmatched row is inserted. `source` is a relation aliased `x` with the table's columns and
    /// at most one row per key. One probe per row: `INSERT ... ON CONFLICT DO UPDATE` probed the
    /// key index once to find the conflict and again to update (about 10% slower on `sales`).
    static func mergeSQL(_ table: AnalyticsTable, from source: String, into schema: String) -> String {
        let columns = table.allColumns.map(\.name)
        let updates = columns.dropFirst().map { "\($0) = x.\($0)" }.joined(separator: ", ")
        return """
            MERGE INTO \(schema).\(table.name) t USING \(source) ON t.\(table.key.name) = x.\(table.key.name)
            WHEN MATCHED THEN UPDATE SET \(updates)
            WHEN NOT MATCHED THEN INSERT (\(columns.joined(separator: ", "))) VALUES (\(columns.map { "x.\($0)" }.joined(separator: ", ")))
            """
    }

    private func writeCoOccurrence(_ delta: CoOccurrenceDelta, on c: PostgresSession) async throws {
        guard !delta.isEmpty else { return }
        let s = schema
        if !delta.lines.isEmpty {
            var rows = PostgresArrayColumns(kinds: [.bigint, .text, .bigint])
            for (line, n) in delta.lines { rows.append([.bigint(line.receiptNo), .text(line.productCode), .bigint(n)]) }
            // One statement, one probe per line: lines at zero go, the others are set.
            try await exec("""
                MERGE INTO \(s).basket_lines t
                USING \(rows.unnest(["receipt_no", "product_code", "lines"], orderBy: #"receipt_no, product_code COLLATE "C""#))
                ON t.receipt_no = x.receipt_no AND t.product_code = x.product_code COLLATE "C"
                WHEN MATCHED AND x.lines <= 0 THEN DELETE
                WHEN MATCHED THEN UPDATE SET lines = x.lines
                WHEN NOT MATCHED AND x.lines > 0 THEN INSERT (receipt_no, product_code, lines) VALUES (x.receipt_no, x.product_code, x.lines)
                """, binding: rows, on: c)
        }
        if !delta.pairs.isEmpty {
            var rows = PostgresArrayColumns(kinds: [.text, .text, .bigint])
            for (pair, n) in delta.pairs { rows.append([.text(pair.a), .text(pair.b), .bigint(n)]) }
            // One statement, one probe per pair: a count that reaches zero is deleted (the table holds
            // only positive counts), the others change, and new pairs are inserted.
            try await exec("""
                MERGE INTO \(s).also_bought t
                USING \(rows.unnest(["a", "b", "n"], orderBy: #"a COLLATE "C", b COLLATE "C""#))
                ON t.product_a = x.a COLLATE "C" AND t.product_b = x.b COLLATE "C"
                WHEN MATCHED AND t.receipts + x.n <= 0 THEN DELETE
                WHEN MATCHED THEN UPDATE SET receipts = t.receipts + x.n
                WHEN NOT MATCHED AND x.n > 0 THEN INSERT (product_a, product_b, receipts) VALUES (x.a, x.b, x.n)
                """, binding: rows, on: c)
        }
    }

    /// `text` with NUL replaced by U+FFFD.
    static func clean(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacing("\u{0}", with: "\u{FFFD}") : text
    }
}
