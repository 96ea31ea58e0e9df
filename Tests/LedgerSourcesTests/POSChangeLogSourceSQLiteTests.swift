import LedgerCore
import LedgerLog
import LedgerSources
import LedgerTestKit
import Synchronization
import Logging
import Testing

/// `POSChangeLogSource` over `SQLitePOSDatabase` on real SQLite files written as the POS writes them.
@Suite struct POSChangeLogSourceSQLiteTests {
    /// All batches from `cursor` until the source says it is caught up.
    func drain(_ source: POSChangeLogSource, from cursor: SourceCursor?, limit: Int) throws -> [SourceBatch] {
        var out: [SourceBatch] = []
        var c = cursor
        while true {
            let b = try source.nextBatch(after: c, limit: limit)
            out.append(b)
            c = b.cursor
            if !b.hasMore { return out }
            if out.count > 100_000 { Issue.record("source never caught up"); return out }
        }
    }

    static func rows(_ changes: [SourceChange]) -> [SourceRow] {
        changes.compactMap { if case .row(let r) = $0 { r } else { nil } }
    }

    static func blank(_ key: String?) -> Bool { (key ?? "").allSatisfy { $0.isWhitespace } }

    struct Delivered: Hashable, CustomStringConvertible {
        var kind: String
        var table: String
        var key: String
        var description: String { "\(kind) \(table) \(key)" }
    }

    /// A SQLite backfill's batches hold their rows in a text block; the pipeline prepares them from
    /// it exactly as it prepares the changes they stand for.
    @Test func backfillRowsPreparedFromTheBlockAsFromTheirChanges() throws {
        let w = try POSSQLiteFixture.generate(products: 300, receipts: 2000, sales: 6000)
        defer { w.remove() }
        let source = POSChangeLogSource(database: try SQLitePOSDatabase(path: w.databasePath), clock: SourceClock { 1_800_000_000 }, logger: Logger(label: "test"))
        let preparer = try ChangePreparer(mapping: .standardPOS())
        let now = Timestamp(microseconds: 1_800_000_000_000_000)
        var cursor: SourceCursor? = nil
        var rows = 0, encoded = 0, letters = 0
        while true {
            let batch = try source.nextBatch(after: cursor, limit: 700)
            if batch.count > 0 { #expect(batch.textRows != nil) }
            let fromBlock = preparer.prepare(batch, source: source.name, now: now)
            #expect(fromBlock == preparer.prepare(SourceBatch(changes: batch.changes, cursor: batch.cursor, hasMore: true), source: source.name, now: now))
            for p in fromBlock {
                if case .upsert(let e, _, _) = p, e.encodedFields != nil { encoded += 1 }
                if case .failure = p { letters += 1 }
            }
            rows += batch.count
            cursor = batch.cursor
            if batch.count == 0 { break }
        }
        #expect(rows == 300 + 2000 + 6000)
        // The malformed rows of the workload are dead letters; nearly every other row is written straight to bytes.
        #expect(letters > 0 && encoded + letters > rows * 9 / 10)
    }

    @Test func backfillThenDeltaOnTheGeneratedWorkload() throws {
        let w = try POSSQLiteFixture.generate(products: 300, receipts: 2000, sales: 6000)
        defer { w.remove() }
        let cut = try w.backfillChangeIDMax()
        let source = POSChangeLogSource(database: try SQLitePOSDatabase(path: w.databasePath), clock: SourceClock { 1_800_000_000 }, logger: Logger(label: "test"))
        let tables = ["products", "receipts", "sales"]
        let mapping = SourceMapping.standardPOS()

        // Backfill: every row of every table, exactly once, as the CSV has it.
        let backfill = try drain(source, from: nil, limit: 500)
        let rows = Self.rows(backfill.flatMap(\.changes))
        #expect(rows.count == backfill.flatMap(\.changes).count)
        for table in tables {
            let csv = try w.csv("\(table).csv")
            let mine = rows.filter { $0.position.table == table }
            #expect(mine.count == csv.count, "\(table)")
            #expect(Set(mine.compactMap(\.position.rowID)).count == csv.count)
            let columns = mapping.entity(table)!.fields.map(\.column)
            for (row, line) in zip(mine, csv) where row.values != columns.map({ RawValue.text(line[$0] ?? "?") }) {
                Issue.record("\(table) rowid \(row.position.rowID ?? 0) differs from its CSV line")
            }
            let key = columns[0]
            #expect(mine.filter { Self.blank($0.position.key) }.count == csv.filter { ($0[key] ?? "").isEmpty }.count)
        }
        #expect(rows.count == 300 + 2000 + 6000)
        // The first batch tells how many rows the backfill has left, exactly; the others do not guess.
        #expect(backfill.first?.changes.count == 300)
        #expect(backfill.first?.estimatedRemaining == 2000 + 6000)
        #expect(backfill.dropFirst().allSatisfy { $0.estimatedRemaining == nil })
        let caughtUp = try #require(backfill.last?.cursor)
        #expect(caughtUp["phase"] == "changes")
        #expect(caughtUp["last_id"] == String(cut))
        #expect(caughtUp["row_hw.sales"] == "6000")

        // Resuming from any backfill cursor delivers exactly what followed it.
        for i in backfill.indices {
            let rest = try drain(source, from: backfill[i].cursor, limit: 500).flatMap(\.changes)
            #expect(rest == backfill[(i + 1)...].flatMap(\.changes), "resume after batch \(i)")
        }

        // Delta: the change log after the backfill, resolved against the rows now in the database.
        try w.loadDelta()
        // One more orphan (the generated delta may have none at this size): the POS stored a sale
        // with an empty key and logged nothing that leads to it.
        try w.sql("INSERT INTO sales (sale_id, qty) VALUES ('', '1');\n")
        let delta = try drain(source, from: caughtUp, limit: 100)
        let changes = delta.flatMap(\.changes)
        var delivered = Set<Delivered>()
        var orphans: [String: Int] = [:]
        for change in changes {
            switch change {
            case .row(let r) where Self.blank(r.position.key): orphans[r.position.table, default: 0] += 1
            case .row(let r): delivered.insert(Delivered(kind: "row", table: r.position.table, key: r.position.key ?? ""))
            case .delete(let d): delivered.insert(Delivered(kind: "delete", table: d.position.table, key: d.position.key ?? ""))
            case .malformed(let m): Issue.record("malformed \(m)")
            }
        }
        var expected = Set<Delivered>()
        let entries = try w.csv("changes.csv").filter { Int64($0["id"]!)! > cut }
        for table in tables {
            let key = mapping.entity(table)!.keyColumns[0]
            let live = Set(try w.sql("SELECT \(key) FROM \(table) WHERE \(key) <> ''"))
            let mine = entries.filter { $0["table_name"] == table }
            for pk in Set(mine.map { $0["pk"]! }) {
                if live.contains(pk) {
                    expected.insert(Delivered(kind: "row", table: table, key: pk))
                } else if mine.contains(where: { $0["pk"] == pk && $0["op"] == "D" }) {
                    expected.insert(Delivered(kind: "delete", table: table, key: pk))
                }
            }
            let deltaOrphans = try w.csv("\(table)_delta.csv").filter { ($0[key] ?? "").isEmpty }.count + (table == "sales" ? 1 : 0)
            #expect(orphans[table, default: 0] == deltaOrphans, "\(table) orphans")
        }
        #expect(delivered.subtracting(expected).isEmpty, "unexpected: \(delivered.subtracting(expected).sorted { $0.description < $1.description }.prefix(5))")
        #expect(expected.subtracting(delivered).isEmpty, "missing: \(expected.subtracting(delivered).sorted { $0.description < $1.description }.prefix(5))")
        #expect(expected.count > 800)
        // Rows delivered for sales are their latest version.
        let latest = Dictionary(try w.csv("sales_delta.csv").filter { !($0["sale_id"] ?? "").isEmpty }.map { ($0["sale_id"]!, $0) }) { $1 }
        let columns = mapping.entity("sales")!.fields.map(\.column)
        for r in Self.rows(changes) where r.position.table == "sales" && !Self.blank(r.position.key) {
            guard let line = latest[r.position.key!] else { continue }
            #expect(r.values == columns.map { RawValue.text(line[$0] ?? "?") }, "sale \(r.position.key!)")
        }
        let end = try #require(delta.last?.cursor)
        #expect(end["last_id"] == String(cut + Int64(entries.count)))
        #expect(end["gaps"] == "")

        // Resuming from any delta cursor delivers exactly what followed it.
        for i in delta.indices {
            let rest = try drain(source, from: delta[i].cursor, limit: 100).flatMap(\.changes)
            #expect(rest == delta[(i + 1)...].flatMap(\.changes), "resume after delta batch \(i)")
        }
        // Caught up: polling again yields nothing.
        let idle = try source.nextBatch(after: end, limit: 100)
        #expect(idle.changes.isEmpty && !idle.hasMore)
    }

    @Test func backfillDaysTakesOnlyRowsChangedInTheWindow() throws {
        let w = try POSSQLiteFixture.generate(products: 100, receipts: 500, sales: 1500)
        defer { w.remove() }
        try w.loadDelta()
        // The window starts at the change time of the middle entry: now is one day after it.
        let entries = try w.csv("changes.csv")
        let since = entries[entries.count / 2]["change_time"]!
        let source = POSChangeLogSource(
            database: try SQLitePOSDatabase(path: w.databasePath),
            options: .init(backfillDays: 1), clock: SourceClock { Self.unixSeconds(since) + 86_400 }, logger: Logger(label: "test"))
        let batches = try drain(source, from: nil, limit: 200)
        let changes = batches.flatMap(\.changes)
        let rows = Self.rows(changes)
        #expect(rows.count == changes.count)
        var expected = Set<Delivered>()
        for table in ["products", "receipts", "sales"] {
            let key = SourceMapping.standardPOS().entity(table)!.keyColumns[0]
            let live = Set(try w.sql("SELECT \(key) FROM \(table) WHERE \(key) <> ''"))
            for e in entries where e["table_name"] == table && e["op"] != "D" && e["change_time"]! >= since && live.contains(e["pk"]!) {
                expected.insert(Delivered(kind: "row", table: table, key: e["pk"]!))
            }
        }
        let delivered = Set(rows.map { Delivered(kind: "row", table: $0.position.table, key: $0.position.key ?? "") })
        #expect(delivered == expected)
        // A record with entries in two batches of the window is delivered twice (harmless downstream).
        #expect(rows.count < delivered.count * 2)
        #expect(expected.count > 100 && expected.count < 2000)
        let last = try #require(batches.last?.cursor)
        #expect(last["phase"] == "changes")
        #expect(last["row_hw.sales"] == (try w.sql("SELECT MAX(rowid) FROM sales")).first)
        #expect(batches.first?.cursor["phase"] == "mark")
        #expect(batches.first?.cursor["since"] == since)
    }

    /// `YYYY-MM-DD HH:MM:SS` (UTC) in seconds since the Unix epoch.
    static func unixSeconds(_ text: String) -> Int64 {
        let n = text.split(whereSeparator: { "- :".contains($0) }).map { Int64($0)! }
        let (y, m, d) = (n[1] <= 2 ? n[0] - 1 : n[0], n[1], n[2])
        let era = y / 400, yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
        return days * 86_400 + n[3] * 3600 + n[4] * 60 + n[5]
    }

    /// A tiny POS database the test writes to as the POS would, one statement batch at a time.
    func tinyPOS() throws -> POSSQLiteFixture {
        let w = POSSQLiteFixture(directory: TemporaryDirectory("ledger-pos-tiny"))
        var schema = ""
        for e in SourceMapping.standardPOS().entities {
            let cols = e.fields.map { "\($0.column) TEXT" }.joined(separator: ", ")
            schema += "CREATE TABLE \(e.table) (\(cols));\nCREATE INDEX \(e.table)_pk ON \(e.table)(\(e.keyColumns[0]));\n"
        }
        schema += """
            CREATE TABLE log_table_sync_change (id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, pk TEXT NOT NULL, op TEXT NOT NULL, change_time TEXT NOT NULL);
            INSERT INTO products (product_id, name) VALUES ('P1', 'one'), ('P2', 'two'), ('P3', 'three');
            INSERT INTO log_table_sync_change (id, table_name, pk, op, change_time) VALUES (1, 'products', 'P1', 'I', '2026-01-01 08:00:00'), (2, 'products', 'P2', 'I', '2026-01-01 08:00:00'), (3, 'products', 'P3', 'I', '2026-01-01 08:00:00');

            """
        try w.sql(schema)
        return w
    }

    /// Writes one product change the way the POS does: the row and its change entry with `id`.
    func change(_ w: POSSQLiteFixture, id: Int, _ pk: String, _ op: String, name: String? = nil) throws {
        var sql = ""
        if op == "D" || name != nil { sql += "DELETE FROM products WHERE product_id = '\(pk)';\n" }
        if let name { sql += "INSERT INTO products (product_id, name) VALUES ('\(pk)', '\(name)');\n" }
        sql += "INSERT INTO log_table_sync_change (id, table_name, pk, op, change_time) VALUES (\(id), 'products', '\(pk)', '\(op)', '2026-01-01 09:00:00');\n"
        try w.sql(sql)
    }

    func summary(_ changes: [SourceChange]) -> [String] {
        changes.map { c in
            switch c {
            case .row(let r): "row \(r.position.key ?? "nil") \(r.value("name").map { "\($0)" } ?? "") change \(r.position.changeID.map(String.init) ?? "-")"
            case .delete(let d): "delete \(d.position.key ?? "nil") change \(d.position.changeID ?? 0)"
            case .malformed(let m): "malformed \(m.reason)"
            }
        }
    }

    @Test func lateCommitBelowAnIDAlreadyPolledIsProcessedUntilTheOverlapEnds() throws {
        let w = try tinyPOS()
        defer { w.remove() }
        let now = Mutex<Int64>(1_000_000)
        let source = POSChangeLogSource(database: try SQLitePOSDatabase(path: w.databasePath), clock: SourceClock { now.withLock { $0 } }, logger: Logger(label: "test"))
        let backfill = try drain(source, from: nil, limit: 10)
        #expect(Self.rows(backfill.flatMap(\.changes)).map(\.position.key) == ["P1", "P2", "P3"])
        var cursor = try #require(backfill.last?.cursor)
        #expect(cursor["last_id"] == "3")

        // Id 11 commits first; 4...10 are allocated to transactions still open.
        try change(w, id: 11, "P11", "I", name: "eleven")
        var b = try source.nextBatch(after: cursor, limit: 10)
        #expect(summary(b.changes) == ["row P11 text(\"eleven\") change 11"])
        #expect(b.cursor["gaps"] == "4-10@1000000")
        cursor = b.cursor

        // Id 10 commits late: processed at the next poll, as is the new id 12.
        now.withLock { $0 += 60 }
        try change(w, id: 10, "P10", "I", name: "ten")
        try change(w, id: 12, "P2", "U", name: "two v2")
        b = try source.nextBatch(after: cursor, limit: 10)
        #expect(summary(b.changes) == ["row P10 text(\"ten\") change 10", "row P2 text(\"two v2\") change 12"])
        #expect(b.cursor["gaps"] == "4-9@1000000")
        #expect(b.cursor["last_id"] == "12")
        // Retrying the same cursor (after a dropped connection) gives the same batch.
        let again = try source.nextBatch(after: cursor, limit: 10)
        #expect(again.changes == b.changes && again.cursor == b.cursor)
        cursor = b.cursor

        // Five minutes after the gap was seen it is re-checked once more, then given up.
        now.withLock { $0 = 1_000_300 }
        try change(w, id: 9, "P9", "I", name: "nine")
        b = try source.nextBatch(after: cursor, limit: 10)
        #expect(summary(b.changes) == ["row P9 text(\"nine\") change 9"])
        #expect(b.cursor["gaps"] == "")
        cursor = b.cursor
        try change(w, id: 8, "P8", "I", name: "eight")
        b = try source.nextBatch(after: cursor, limit: 10)
        #expect(b.changes.isEmpty)
    }

    @Test func hazardsBetweenPolls() throws {
        let w = try tinyPOS()
        defer { w.remove() }
        let source = POSChangeLogSource(database: try SQLitePOSDatabase(path: w.databasePath), clock: SourceClock { 2_000_000 }, logger: Logger(label: "test"))
        var cursor = try #require(try drain(source, from: nil, limit: 10).last?.cursor)

        // A row changed three times between polls (and a duplicate entry): fetched once, latest version.
        try change(w, id: 4, "P1", "U", name: "one v2")
        try change(w, id: 5, "P1", "U", name: "one v3")
        try change(w, id: 6, "P1", "U", name: "one v4")
        try change(w, id: 7, "P1", "U")
        // Inserted and deleted before the poll: only the delete.
        try change(w, id: 8, "P4", "I", name: "four")
        try change(w, id: 9, "P4", "D")
        // Deleted, then inserted again: the delete, then the new row.
        try change(w, id: 10, "P3", "D")
        try change(w, id: 11, "P3", "I", name: "three again")
        // Many entries with the same change_time for distinct rows.
        for i in 0..<5 { try change(w, id: 12 + i, "Q\(i)", "I", name: "q\(i)") }
        var b = try source.nextBatch(after: cursor, limit: 100)
        let kinds = summary(b.changes)
        #expect(kinds == [
            "row P1 text(\"one v4\") change 7",
            "delete P4 change 9",
            "delete P3 change 10",
            "row P3 text(\"three again\") change 11",
            "row Q0 text(\"q0\") change 12", "row Q1 text(\"q1\") change 13", "row Q2 text(\"q2\") change 14",
            "row Q3 text(\"q3\") change 15", "row Q4 text(\"q4\") change 16",
        ])
        cursor = b.cursor

        // An entry whose row is gone when fetched: nothing now, the delete when its entry comes.
        try w.sql("INSERT INTO log_table_sync_change (id, table_name, pk, op, change_time) VALUES (17, 'products', 'P9', 'I', '2026-01-01 09:00:00');\n")
        b = try source.nextBatch(after: cursor, limit: 100)
        #expect(b.changes.isEmpty)
        cursor = b.cursor
        try change(w, id: 18, "P9", "D")
        // An orphan row (empty key, no entry of its own), an entry with an empty key, a table not mapped.
        try w.sql("""
            INSERT INTO products (product_id, name) VALUES ('  ', 'orphan');
            INSERT INTO log_table_sync_change (id, table_name, pk, op, change_time) VALUES (19, 'products', '', 'U', '2026-01-01 09:00:00'), (20, 'staff', 'S1', 'I', '2026-01-01 09:00:00');

            """)
        b = try source.nextBatch(after: cursor, limit: 100)
        #expect(summary(b.changes) == [
            "delete P9 change 18",
            "malformed change-log entry with an empty key",
            "row    text(\"orphan\") change -",
        ])
        guard case .malformed(let m) = b.changes[1] else { Issue.record("not malformed"); return }
        #expect(m.raw == #"{"id":19,"table_name":"products","pk":"","op":"U","change_time":"2026-01-01 09:00:00"}"#)
        #expect(b.cursor["last_id"] == "20")
        // The orphan is delivered once.
        #expect(try source.nextBatch(after: b.cursor, limit: 100).changes.isEmpty)
    }

    /// The real database, with every `failEvery`-th query failing as a dropped connection does
    /// (more than the queries of one batch apart, so a retry can succeed).
    final class DroppingConnection: POSDatabase {
        let base: SQLitePOSDatabase
        let failEvery: Int
        var calls = 0
        var label: String { base.label }
        init(_ base: SQLitePOSDatabase, failEvery: Int) { self.base = base; self.failEvery = failEvery }
        func tick() throws(SourceError) {
            calls += 1
            if calls % failEvery == 0 { throw SourceError(.unavailable, context: label, cause: "connection dropped") }
        }
        func maxChangeID() throws(SourceError) -> Int64 { try tick(); return try base.maxChangeID() }
        func estimatedRowCount(of table: String) throws(SourceError) -> Int { try base.estimatedRowCount(of: table) }
        func hasTable(_ table: String) throws(SourceError) -> Bool { try tick(); return try base.hasTable(table) }
        func changes(after id: Int64, limit: Int) throws(SourceError) -> [ChangeLogEntry] {
            try tick(); return try base.changes(after: id, limit: limit)
        }
        func changes(ids: [Int64]) throws(SourceError) -> [ChangeLogEntry] { try tick(); return try base.changes(ids: ids) }
        func rows(of table: String, columns: [String], afterRowID: Int64, limit: Int) throws(SourceError) -> [POSRow] {
            try tick(); return try base.rows(of: table, columns: columns, afterRowID: afterRowID, limit: limit)
        }
        func rows(of table: String, columns: [String], keyColumn: String, keys: [String]) throws(SourceError) -> [POSRow] {
            try tick(); return try base.rows(of: table, columns: columns, keyColumn: keyColumn, keys: keys)
        }
        func blankKeyCandidates(
            of table: String, columns: [String], keyColumn: String, afterRowID: Int64, limit: Int
        ) throws(SourceError) -> (rows: [POSRow], highest: Int64) {
            try tick(); return try base.blankKeyCandidates(of: table, columns: columns, keyColumn: keyColumn, afterRowID: afterRowID, limit: limit)
        }
    }

    struct Drained {
        var changes: [SourceChange] = []
        var cursor: SourceCursor?
        var failures = 0
    }

    /// Drains `source`, retrying a transient failure with the same cursor, as the pipeline does.
    func drainRetrying(_ source: POSChangeLogSource, from start: SourceCursor?) throws -> Drained {
        var out = Drained(cursor: start)
        while true {
            let batch: SourceBatch
            do {
                batch = try source.nextBatch(after: out.cursor, limit: 16)
            } catch {
                guard error.isTransient else { throw error }
                out.failures += 1
                if out.failures > 1000 { Issue.record("retries never succeed"); return out }
                continue
            }
            out.changes += batch.changes
            out.cursor = batch.cursor
            if !batch.hasMore { return out }
        }
    }

    @Test func orphansBeyondOnePageAreDeliveredOncePageByPage() throws {
        let w = try tinyPOS()
        defer { w.remove() }
        let source = POSChangeLogSource(database: try SQLitePOSDatabase(path: w.databasePath), clock: SourceClock { 2_000_000 }, logger: Logger(label: "test"))
        let cursor = try #require(try drain(source, from: nil, limit: 10).last?.cursor)
        #expect(cursor["row_hw.products"] == "3")

        // Five rows without a key among keyed rows the change log does not name (rowids 4-11).
        try w.sql("""
            INSERT INTO products (product_id, name) VALUES ('', 'o1'), ('K1', 'k'), (NULL, 'o2'), (' ', 'o3'), ('K2', 'k'),
              (char(9), 'o4'), ('K3', 'k'), ('  ', 'o5');

            """)
        // Pages of two candidates: the scan stops at each page's last row, then ends at the table's top.
        let batches = try drain(source, from: cursor, limit: 2)
        #expect(batches.map { Self.rows($0.changes).compactMap { r in if case .text(let n)? = r.value("name") { n } else { nil } } }
                == [["o1", "o2"], ["o3", "o4"], ["o5"]])
        #expect(batches.map { $0.cursor["row_hw.products"] } == ["6", "9", "11"])
        #expect(try source.nextBatch(after: batches.last!.cursor, limit: 2).changes.isEmpty)
    }

    @Test func droppedConnectionsAreRetriedWithTheSameCursorAndLoseNothing() throws {
        let w = try POSSQLiteFixture.generate(products: 50, receipts: 200, sales: 600)
        defer { w.remove() }
        let clean = POSChangeLogSource(database: try SQLitePOSDatabase(path: w.databasePath), clock: SourceClock { 1_800_000_000 }, logger: Logger(label: "test"))
        let flaky = POSChangeLogSource(
            database: DroppingConnection(try SQLitePOSDatabase(path: w.databasePath), failEvery: 11), clock: SourceClock { 1_800_000_000 }, logger: Logger(label: "test"))
        let a = try drainRetrying(clean, from: nil)
        let b = try drainRetrying(flaky, from: nil)
        #expect(b.failures > 3)
        #expect(a.changes == b.changes)
        #expect(a.changes.count == 50 + 200 + 600)
        try w.loadDelta()
        let c = try drainRetrying(clean, from: a.cursor)
        let d = try drainRetrying(flaky, from: b.cursor)
        #expect(d.failures > 0)
        #expect(c.changes == d.changes)
        #expect(c.changes.count > 50)
    }

    @Test func errorsNameTheFile() throws {
        do {
            _ = try SQLitePOSDatabase(path: "/nonexistent/pos.db")
            Issue.record("no error")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.context == "sqlite pos.db")
        }
        let w = POSSQLiteFixture(directory: TemporaryDirectory("ledger-pos-bad"))
        defer { w.remove() }
        try w.sql("CREATE TABLE products (product_id TEXT);\n")
        let db = try SQLitePOSDatabase(path: w.databasePath)
        do {
            _ = try db.maxChangeID()
            Issue.record("no error")
        } catch {
            #expect(error.code == .badSchema)
            #expect(error.context == "sqlite pos.db log_table_sync_change")
        }
        do {
            _ = try db.rows(of: "products", columns: ["product_id"], keyColumn: "product_id", keys: ["P1"])
            Issue.record("no error")
        } catch {
            #expect(error.code == .badSchema)
            #expect(error.cause?.contains("products_pk") == true)
        }
        // A cursor that is not this source's.
        let source = POSChangeLogSource(database: db, logger: Logger(label: "test"))
        #expect(throws: SourceError.self) { try source.nextBatch(after: SourceCursor(["phase": "nope"]), limit: 1) }
    }
}
