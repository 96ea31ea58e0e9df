import LedgerLog
import LedgerProjection
import Logging
import NIOCore
import PostgresNIO

extension PostgresAnalyticsTarget {
    /// Writes one batch in one transaction on `c` and returns the lines it committed. The rows are
    /// merged at once, while the co-occurrence delta's reads (``StoredLines``) come from `ahead`,
    /// read on the second connection while the batch before was written, or are read on `reader`
    /// now, outside the transaction. Reads ahead show the state before `last` (the batch committed
    /// before this one) and are brought up to date with it. The pair changes, dead letters,
    /// `ingest_state` and the checkpoint follow (`basket_lines` is a view of `sales`). Each statement's rows come in the table's key
    /// order, so the server's probes walk the key index from left to right: in log order they probed
    /// it at random, and a batch's statements took about a tenth longer.
    func write(_ batch: AnalyticsBatch, rows: PostgresEffectRows, offsets: Range<UInt64>, ahead: Task<StoredLines, any Error>?, last: CommittedLines?,
               checkpoint: ProjectionCheckpoint, on c: PostgresSession, reading reader: PostgresSession) async throws -> CommittedLines {
        let s = schema
        try await c.execute("BEGIN", logger: logger)
        // The delta and its pair rows are worked out in a child task while this one sends the rows
        // and waits for them; the committed lines are built while the server merges the pairs.
        async let worked = { [self] in
            let delta = try await coOccurrenceDelta(batch, offsets: offsets, ahead: ahead, last: last, reading: reader)
            return (delta, PostgresCoOccurrenceRows.pairs(delta.pairs))
        }()
        try await writeEffects(rows, on: c)
        rowsMerged(true)
        let (delta, pairs) = try await worked
        async let committed = CommittedLines(batch: batch, delta: delta, offsets: offsets)
        try await writePairs(pairs, on: c)
        try await Self.writeState(deadLetters: batch.deadLetters, lastEvents: batch.lastEvents, checkpoint: checkpoint,
                                  projector: name, schema: s, on: c, logger: logger)
        try await c.execute("COMMIT", logger: logger)
        return await committed
    }

    /// The batch's co-occurrence delta, from the reads in `ahead` brought up to date with `last`, or
    /// from reads made now on `reader`.
    private func coOccurrenceDelta(_ batch: AnalyticsBatch, offsets: Range<UInt64>, ahead: Task<StoredLines, any Error>?,
                                   last: CommittedLines?, reading reader: PostgresSession) async throws -> CoOccurrenceDelta {
        var reads: StoredLines
        if let ahead, case let r = try await ahead.value, r.canServe(batchAt: offsets.lowerBound, last: last) {
            reads = r
        } else {
            reads = try await readStoredLines(batch, sawThrough: offsets.lowerBound, on: reader)
        }
        let overlay = last?.offsets.upperBound == offsets.lowerBound ? last : nil
        let stored = batch.storedLines(reads, after: overlay)
        try await readBaskets(reads.unread(batch.basketReceipts(storedLines: stored)), into: &reads, on: reader)
        return batch.coOccurrence(storedLines: stored) { reads.basket($0, after: overlay) }
    }

    /// Reads what `batch`'s co-occurrence delta needs on `reader`, outside any transaction: the
    /// bounds, the stored lines of its sales that differ from their first lines in the batch, then
    /// the baskets their changes touch. `sawThrough` is a checkpoint already committed.
    func readStoredLines(_ batch: AnalyticsBatch, sawThrough: UInt64, on reader: PostgresSession) async throws -> StoredLines {
        let s = schema
        var reads = StoredLines(maxSale: nil, maxReceipt: nil, differing: [:], baskets: [:], sawThrough: sawThrough)
        // The largest stored sale id and receipt number: new sales and receipts above them need no lookup.
        let bounds = try await reader.query(
            "SELECT (SELECT max(sale_id) FROM \(unescaped: s).sales), (SELECT max(receipt_no) FROM \(unescaped: s).sales)",
            logger: logger)
        for try await (sale, receipt) in bounds.decode((Int64?, Int64?).self) {
            reads.maxSale = sale
            reads.maxReceipt = receipt
        }
        // Most changes keep a sale's line (a quantity or a price changes): the server compares each
        // stored line with the sale's first line in the batch and returns only those that differ.
        if let maxSale = reads.maxSale {
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
                    reads.differing[id] = receipt.flatMap { r in code.map { BasketLine(receiptNo: r, productCode: $0) } }
                }
            }
        }
        let stored = batch.storedLines(reads, after: nil)
        try await readBaskets(reads.unread(batch.basketReceipts(storedLines: stored)), into: &reads, on: reader)
        return reads
    }

    /// Reads the stored baskets of `receipts` into `reads` (an empty one for a receipt with none).
    private func readBaskets(_ receipts: [Int64], into reads: inout StoredLines, on reader: PostgresSession) async throws {
        guard !receipts.isEmpty else { return }
        for r in receipts { reads.baskets[r] = [:] }
        let rows = try await reader.query("""
            SELECT receipt_no, product_code, lines FROM \(unescaped: schema).basket_lines WHERE receipt_no = ANY(\(receipts))
            """, logger: logger)
        for try await (receipt, code, lines) in rows.decode((Int64, String, Int64).self) { reads.baskets[receipt, default: [:]][ExactText(code)] = lines }
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

    private func writeEffects(_ rows: PostgresEffectRows, on c: PostgresSession) async throws {
        for table in AnalyticsSchema.entityTables {
            if let rows = rows.upserts[table.name] {
                let source = rows.unnest(table.allColumns.map(\.name))
                try await exec(Self.mergeSQL(table, from: source, into: schema), binding: rows, on: c)
            }
            if let keys = rows.bigintDeletes[table.name] {
                _ = try await c.query("DELETE FROM \(unescaped: schema).\(unescaped: table.name) WHERE \(unescaped: table.key.name) = ANY(\(keys))", logger: logger)
            }
            if let keys = rows.textDeletes[table.name] {
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

    /// One statement, one probe per pair: a count that reaches zero is deleted (the table holds only
    /// positive counts), the others change, and new pairs are inserted.
    private func writePairs(_ rows: PostgresArrayColumns, on c: PostgresSession) async throws {
        guard rows.rows > 0 else { return }
        try await exec("""
            MERGE INTO \(schema).also_bought t
            USING \(rows.unnest(["a", "b", "n"]))
            ON t.product_a = x.a COLLATE "C" AND t.product_b = x.b COLLATE "C"
            WHEN MATCHED AND t.receipts + x.n <= 0 THEN DELETE
            WHEN MATCHED THEN UPDATE SET receipts = t.receipts + x.n
            WHEN NOT MATCHED AND x.n > 0 THEN INSERT (product_a, product_b, receipts) VALUES (x.a, x.b, x.n)
            """, binding: rows, on: c)
    }

    /// `text` with NUL replaced by U+FFFD.
    static func clean(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacing("\u{0}", with: "\u{FFFD}") : text
    }
}
