import LedgerCore
import LedgerLog
import LedgerSQLite
import LedgerSources
import LedgerTestKit
import Testing

/// Dead letters keep the raw row and the reason; a retry after the mapping is fixed appends the
/// repaired events, and never puts an old row over a newer event of its record.
@Suite struct DeadLetterRetryTests {
    @Test func aFixedMappingTurnsDeadLettersIntoEvents() throws {
        let pos = try POSSQLiteFixture.generate(products: 100, receipts: 800, sales: 4000, seed: 3)
        defer { pos.remove() }
        let log = TemporaryDirectory()
        defer { log.remove() }
        // A shop whose POS writes "N/A" for an unknown stock: the standard mapping refuses it.
        try pos.sql("UPDATE products SET current_stock = 'N/A' WHERE product_id IN ('P000001', 'P000002')")
        let harness = SyncHarness(log: log.path)
        try harness.syncSQLite(pos.databasePath)
        let store = try DeadLetterStore(path: harness.deadLetterPath)
        let refused = try store.list(status: .open, entity: "products")
        #expect(refused.count == 2)
        let first = try #require(refused.first)
        #expect(first.letter.layer == "numerics" && first.letter.field == "current_stock")
        #expect(first.letter.reason.contains("N/A"))
        #expect(first.letter.raw.contains("\"current_stock\":\"N/A\""))
        #expect(first.letter.position.table == "products" && first.letter.position.rowID != nil)

        // Retrying with the same mapping changes nothing and counts an attempt.
        func retry(_ mapping: SourceMapping) throws -> DeadLetterRetry.Outcome {
            let writer = try LogWriter(directory: log.path, logger: harness.logger)
            defer { writer.close() }
            let applier = try ChangeApplier(mapping: mapping, writer: writer, state: try DeltaState.load(from: writer))
            return try DeadLetterRetry(store: store, applier: applier).run(entity: "products", now: Timestamp(microseconds: 0))
        }
        let same = try retry(.standardPOS())
        #expect(same.resolved == 0 && same.stillRefused == 2)
        #expect(try store.entry(id: first.id)?.attempts == 2)

        // The fixed mapping reads current_stock as text: both rows become events.
        var fixed = SourceMapping.standardPOS()
        let i = try #require(fixed.entities.firstIndex { $0.entity == "products" })
        let f = try #require(fixed.entities[i].fields.firstIndex { $0.name == "current_stock" })
        fixed.entities[i].fields[f].type = .string
        let outcome = try retry(fixed)
        #expect(outcome.resolved == 2 && outcome.stillRefused == 0 && outcome.counters.inserts == 2)
        let live = try harness.liveRecords()
        let p1 = live.records.values.first { $0.entity == "products" && $0.value(of: "product_id") == .string("P000001") }
        #expect(p1?.value(of: "current_stock") == .string("N/A"))
        #expect(try store.entry(id: first.id)?.status == .resolved)
        #expect(try store.entry(id: first.id)?.resolvedOffset == p1?.offset)

        // A row refused again later, after a newer good version landed, is superseded on retry.
        try pos.sql("UPDATE products SET current_stock = 'N/A' WHERE product_id = 'P000003'")
        try pos.sql("INSERT INTO log_table_sync_change (table_name, pk, op, change_time) VALUES ('products', 'P000003', 'U', '2026-06-01 10:00:00')")
        try harness.syncSQLite(pos.databasePath)
        try pos.sql("UPDATE products SET current_stock = '7' WHERE product_id = 'P000003'")
        try pos.sql("INSERT INTO log_table_sync_change (table_name, pk, op, change_time) VALUES ('products', 'P000003', 'U', '2026-06-01 10:05:00')")
        try harness.syncSQLite(pos.databasePath)
        let late = try retry(fixed)
        #expect(late.resolved == 1 && late.counters.superseded == 1 && late.counters.inserts + late.counters.updates == 0)
        let p3 = try harness.liveRecords().records.values.first { $0.entity == "products" && $0.value(of: "product_id") == .string("P000003") }
        #expect(p3?.value(of: "current_stock") == .decimal(LedgerDecimal("7")!))
    }
}
