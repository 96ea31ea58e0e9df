import LedgerCore
import LedgerSources
import LedgerTestKit
import Logging
import Testing

extension LedgerServerTests {
    /// `POSChangeLogSource` end to end over `MariaDBPOSDatabase`: backfill, delta polling, and a
    /// change-log entry that commits after a higher one.
    @Suite struct POSChangeLogSourceMariaDBTests {
        /// Batches until the source says it has nothing more right now; the changes and the last cursor.
        static func drain(_ source: POSChangeLogSource, from cursor: SourceCursor?, limit: Int) throws -> ([SourceChange], SourceCursor) {
            var changes: [SourceChange] = []
            var cursor = cursor
            for _ in 0..<10_000 {
                let batch = try source.nextBatch(after: cursor, limit: limit)
                changes += batch.changes
                cursor = batch.cursor
                if !batch.hasMore { return (changes, batch.cursor) }
            }
            Issue.record("the source never caught up")
            return (changes, cursor ?? SourceCursor())
        }

        static func rowCounts(_ changes: [SourceChange]) -> [String: Int] {
            var counts: [String: Int] = [:]
            for case .row(let row) in changes { counts[row.entity, default: 0] += 1 }
            return counts
        }

        /// The standard schema's optional `customers` table: skipped while the database has none
        /// (the other tables' backfill is as before), read like the others once it exists.
        @Test func optionalCustomersTableIsReadOnlyWhenItExists() throws {
            let workload = try POSWorkload.generate(products: 10, receipts: 10, sales: 10)
            defer { workload.remove() }
            let scratch = try MariaDBScratch()
            defer { scratch.drop() }
            try scratch.load(workload, phase: "backfill")
            let database = MariaDBPOSDatabase(configuration: scratch.configuration)
            #expect(try database.hasTable("sales"))
            #expect(try !database.hasTable("customers"))
            let source = POSChangeLogSource(database: database, logger: Logger(label: "test"))
            let (without, _) = try Self.drain(source, from: nil, limit: 7)
            #expect(Self.rowCounts(without) == ["products": 10, "receipts": 10, "sales": 10])

            let c = try scratch.connect()
            defer { c.close() }
            try c.execute("""
                CREATE TABLE customers (_row BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id VARCHAR(255), name VARCHAR(255),
                    phone VARCHAR(255), email VARCHAR(255), created_at VARCHAR(255), updated_at VARCHAR(255), KEY customers_pk (customer_id))
                """)
            try c.execute("INSERT INTO customers (customer_id, name) VALUES ('C00001', ' Ann '), ('C00002', 'Bo'), ('C00003', NULL)")
            #expect(try database.hasTable("customers"))
            let (with, cursor) = try Self.drain(source, from: nil, limit: 7)
            #expect(Self.rowCounts(with) == ["products": 10, "receipts": 10, "sales": 10, "customers": 3])
            let names = with.compactMap { change -> [RawValue]? in
                guard case .row(let r) = change, r.entity == "customers" else { return nil }
                return Array(r.values.prefix(2))
            }
            #expect(names == [[.text("C00001"), .text(" Ann ")], [.text("C00002"), .text("Bo")], [.text("C00003"), .null]])

            // A later write with its change-log row.
            try c.execute("UPDATE customers SET name = 'Bob' WHERE customer_id = 'C00002'")
            try c.execute("INSERT INTO log_table_sync_change (table_name, pk, op, change_time) VALUES ('customers', 'C00002', 'U', NOW())")
            let (later, _) = try Self.drain(source, from: cursor, limit: 7)
            #expect(Self.rowCounts(later) == ["customers": 1])
        }

        @Test func backfillThenDeltaDeliversEveryRowAndEveryLaterChangeEntry() throws {
            let workload = try POSWorkload.small()
            defer { workload.remove() }
            let scratch = try MariaDBScratch()
            defer { scratch.drop() }
            try scratch.load(workload, phase: "backfill")
            let source = POSChangeLogSource(database: MariaDBPOSDatabase(configuration: scratch.configuration), logger: Logger(label: "test"))

            let (backfill, afterBackfill) = try Self.drain(source, from: nil, limit: 500)
            #expect(Self.rowCounts(backfill) == ["products": 300, "receipts": 2000, "sales": 6000])
            #expect(backfill.count == 8300)
            #expect(afterBackfill["phase"] == "changes")
            #expect(afterBackfill["last_id"] == "8300")
            #expect(afterBackfill["gaps"] ?? "" == "")
            // Every backfilled row is the table's row as stored: spot-check the first product.
            guard case .row(let first) = backfill.first else { Issue.record("no first row"); return }
            let product = try workload.csv("products.csv")[0]
            #expect(first.entity == "products")
            #expect(first.position.rowID == 1)
            #expect(first.values == first.columns.map { RawValue.text(product[$0]!) })

            try scratch.load(workload, phase: "delta")
            let (delta, afterDelta) = try Self.drain(source, from: afterBackfill, limit: 10_000)
            #expect(afterDelta["last_id"] == "9175")
            #expect(afterDelta["gaps"] ?? "" == "")

            // Every entry after the backfill maximum is accounted for: each record it names gets a
            // change carrying its latest entry id; entries with a blank key are dead-lettered.
            let entries = try workload.csv("changes.csv").dropFirst(8300)
            #expect(entries.count == 875)
            var latest: [String: Int64] = [:]
            var blankEntries = 0
            for e in entries {
                let pk = e["pk"]!
                if pk.unicodeScalars.allSatisfy({ $0.properties.isWhitespace || $0.value < 0x20 }) { blankEntries += 1; continue }
                latest["\(e["table_name"]!)/\(pk)"] = max(latest["\(e["table_name"]!)/\(pk)"] ?? 0, Int64(e["id"]!)!)
            }
            var delivered: [String: Int64] = [:]
            var malformed = 0
            for change in delta {
                switch change {
                case .row(let row):
                    guard let id = row.position.changeID else { continue }   // an orphan (blank key) row
                    delivered["\(row.position.table)/\(row.position.key ?? "")"] = max(delivered["\(row.position.table)/\(row.position.key ?? "")"] ?? 0, id)
                case .delete(let d):
                    delivered["\(d.position.table)/\(d.position.key ?? "")"] = max(delivered["\(d.position.table)/\(d.position.key ?? "")"] ?? 0, d.position.changeID ?? 0)
                case .malformed:
                    malformed += 1
                }
            }
            #expect(latest.count > 700)
            #expect(delivered == latest)
            #expect(malformed == blankEntries)
        }

        @Test func anEntryCommittedAfterAHigherOneIsStillDelivered() throws {
            let workload = try POSWorkload.generate(products: 10, receipts: 10, sales: 10)
            defer { workload.remove() }
            let scratch = try MariaDBScratch()
            defer { scratch.drop() }
            try scratch.load(workload, phase: "backfill")
            let source = POSChangeLogSource(database: MariaDBPOSDatabase(configuration: scratch.configuration), logger: Logger(label: "test"))
            let (backfill, caughtUp) = try Self.drain(source, from: nil, limit: 100)
            #expect(Self.rowCounts(backfill) == ["products": 10, "receipts": 10, "sales": 10])
            #expect(caughtUp["last_id"] == "30")

            func insertProduct(_ db: MariaDBConnection, _ id: String) throws {
                try db.execute("INSERT INTO products (product_id, code, name) VALUES ('\(id)', '893\(id)', 'item \(id)')")
                try db.execute("INSERT INTO log_table_sync_change (table_name, pk, op, change_time) VALUES ('products', '\(id)', 'I', '2026-11-22 10:00:00')")
            }
            // The late writer takes change id 31 in a transaction it does not commit yet...
            let late = try scratch.connect()
            try late.execute("START TRANSACTION")
            try insertProduct(late, "P-LATE")
            #expect(late.lastInsertID == 31)
            // ...while another writer commits id 32, and the source polls.
            let early = try scratch.connect()
            try insertProduct(early, "P-EARLY")
            #expect(early.lastInsertID == 32)
            let first = try source.nextBatch(after: caughtUp, limit: 100)
            #expect(Self.keys(first.changes) == ["products/P-EARLY@32"])
            #expect(first.cursor["last_id"] == "32")
            #expect(first.cursor["gaps"]?.hasPrefix("31@") == true, "\(first.cursor)")
            // A poll before the commit finds nothing new and keeps the gap.
            let waiting = try source.nextBatch(after: first.cursor, limit: 100)
            #expect(waiting.changes == [])
            #expect(waiting.cursor["gaps"] == first.cursor["gaps"])

            try late.execute("COMMIT")
            let second = try source.nextBatch(after: waiting.cursor, limit: 100)
            #expect(Self.keys(second.changes) == ["products/P-LATE@31"])
            #expect(second.cursor["last_id"] == "32")
            #expect(second.cursor["gaps"] ?? "" == "")
            guard case .row(let row) = second.changes.first else { return }
            #expect(row.value("name") == .text("item P-LATE"))
            #expect(row.value("code") == .text("893P-LATE"))
        }

        /// `table/key@changeID` of each row or delete.
        static func keys(_ changes: [SourceChange]) -> [String] {
            changes.compactMap { change in
                switch change {
                case .row(let r): "\(r.position.table)/\(r.position.key ?? "")@\(r.position.changeID ?? 0)"
                case .delete(let d): "-\(d.position.table)/\(d.position.key ?? "")@\(d.position.changeID ?? 0)"
                case .malformed: nil
                }
            }
        }
    }
}
