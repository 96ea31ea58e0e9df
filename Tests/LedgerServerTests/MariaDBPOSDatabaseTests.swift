import LedgerCore
@testable import LedgerSources
import LedgerTestKit
import Testing

extension LedgerServerTests {
    /// `MariaDBPOSDatabase` over a gen_pos.py workload loaded with pos_load.py, checked against the
    /// workload's own CSV files.
    @Suite struct MariaDBPOSDatabaseTests {
        static let tables: [(name: String, columns: [String])] = [
            ("products", ["product_id", "code", "name", "category", "department", "unit", "buy_price", "sell_price", "current_stock", "updated_at"]),
            ("receipts", ["receipt_id", "receipt_no", "at", "payment_channel", "customer"]),
            ("sales", ["sale_id", "at", "receipt_no", "product_code", "product_name", "qty", "price", "total", "customer"]),
        ]

        static func entries(_ csv: [[String: String]]) -> [ChangeLogEntry] {
            csv.map {
                ChangeLogEntry(id: Int64($0["id"]!)!, table: $0["table_name"]!, pk: $0["pk"]!,
                               op: ChangeLogEntry.Op(rawValue: $0["op"]!)!, changeTime: $0["change_time"]!)
            }
        }

        /// Every change entry after `after`, in pages of `page`.
        static func allChanges(_ pos: MariaDBPOSDatabase, after: Int64, page: Int) throws -> [ChangeLogEntry] {
            var entries: [ChangeLogEntry] = []
            var last = after
            while true {
                let batch = try pos.changes(after: last, limit: page)
                #expect(batch.count <= page)
                guard let end = batch.last else { return entries }
                entries += batch
                last = end.id
            }
        }

        /// Every row of `table`, in pages of `page`.
        static func allRows(_ pos: MariaDBPOSDatabase, _ table: String, _ columns: [String], page: Int) throws -> [POSRow] {
            var rows: [POSRow] = []
            var last: Int64 = 0
            while true {
                let batch = try pos.rows(of: table, columns: columns, afterRowID: last, limit: page)
                #expect(batch.count <= page)
                guard let end = batch.last else { return rows }
                rows += batch
                last = end.rowID
            }
        }

        /// The small workload's backfill in a scratch database of its own, for `body`.
        func withBackfill(_ body: (POSWorkload, MariaDBScratch) throws -> Void) throws {
            let workload = try POSWorkload.small()
            defer { workload.remove() }
            let scratch = try MariaDBScratch()
            defer { scratch.drop() }
            try scratch.load(workload, phase: "backfill")
            try body(workload, scratch)
        }

        @Test func backfillReadsEveryRowAndChangeEntryExactly() throws {
            try withBackfill { workload, scratch in
                let pos = MariaDBPOSDatabase(configuration: scratch.configuration)
                #expect(pos.label == "mariadb \(scratch.configuration.hostAndPort)/\(scratch.name)")
                #expect(!pos.isConnected)

                #expect(try pos.maxChangeID() == 8300)
                #expect(pos.isConnected)
                let entries = try Self.allChanges(pos, after: 0, page: 1000)
                #expect(entries.count == 8300)
                #expect(entries == Self.entries(Array(try workload.csv("changes.csv").prefix(8300))))
                #expect(entries.first == ChangeLogEntry(id: 1, table: "products", pk: "P000001", op: .insert, changeTime: "2026-01-01 08:00:00"))

                var counts: [String: Int] = [:]
                let statistics = try scratch.connect()
                defer { statistics.close() }
                for (table, columns) in Self.tables {
                    let rows = try Self.allRows(pos, table, columns, page: 700)
                    let csv = try workload.csv("\(table).csv")
                    counts[table] = rows.count
                    // InnoDB's estimate, once its statistics are fresh: near the count, not exact.
                    _ = try statistics.query("ANALYZE TABLE `\(table)`")
                    let estimate = try pos.estimatedRowCount(of: table)
                    #expect(abs(estimate - csv.count) <= csv.count / 2, "\(table): estimated \(estimate) of \(csv.count) rows")
                    #expect(rows.map(\.rowID) == Array(1...Int64(csv.count)), "\(table)")
                    // Every value exactly as the POS wrote it: stray spaces, NBSP, control characters, "".
                    #expect(rows.map(\.values) == csv.map { r in columns.map { RawValue.text(r[$0]!) } }, "\(table)")
                }
                #expect(counts == ["products": 300, "receipts": 2000, "sales": 6000])

                #expect(try pos.rows(of: "sales", columns: ["sale_id"], afterRowID: 5990, limit: 100).map(\.rowID) == Array(5991...6000))
                #expect(try pos.rows(of: "sales", columns: [], afterRowID: 6000, limit: 100) == [])
                #expect(try pos.rows(of: "sales", columns: ["sale_id"], afterRowID: 0, limit: 0) == [])
                #expect(try pos.changes(after: 8300, limit: 10) == [])
            }
        }

        @Test func changesByIDReturnsTheExistingOnesInOrder() throws {
            try withBackfill { workload, scratch in
                let pos = MariaDBPOSDatabase(configuration: scratch.configuration, keysPerQuery: 3)
                let all = Self.entries(Array(try workload.csv("changes.csv").prefix(8300)))
                let found = try pos.changes(ids: [8300, 5, 99_999, 3, 5, 1, 4000, 8301, 7, 2])
                #expect(found.map(\.id) == [1, 2, 3, 5, 7, 4000, 8300])
                #expect(found == [1, 2, 3, 5, 7, 4000, 8300].map { all[$0 - 1] })
                #expect(try pos.changes(ids: []) == [])
            }
        }

        @Test func deltaPhaseEntriesFollowTheBackfillMaximum() throws {
            try withBackfill { workload, scratch in
                let pos = MariaDBPOSDatabase(configuration: scratch.configuration)
                #expect(try pos.maxChangeID() == 8300)
                try scratch.load(workload, phase: "delta")
                #expect(try pos.maxChangeID() == 9175)
                let delta = try Self.allChanges(pos, after: 8300, page: 128)
                #expect(delta.map(\.id) == Array(8301...9175))
                #expect(delta == Self.entries(Array(try workload.csv("changes.csv").dropFirst(8300))))
                #expect(Set(delta.map(\.op)) == [.insert, .update, .delete])
            }
        }

        @Test func keyLookupsReturnExactlyTheRowsWithThoseKeysChunked() throws {
            try withBackfill { workload, scratch in
                let pos = MariaDBPOSDatabase(configuration: scratch.configuration, keysPerQuery: 7)
                let columns = Self.tables[1].columns
                let csv = try workload.csv("receipts.csv")
                let keys = stride(from: 0, to: csv.count, by: 97).map { csv[$0]["receipt_id"]! }
                #expect(keys.count == 21)
                let rows = try pos.rows(of: "receipts", columns: columns, keyColumn: "receipt_id",
                                        keys: keys + ["no-such-key"] + keys.prefix(3))
                let wanted = Set(keys)
                let expected = csv.enumerated().filter { wanted.contains($0.element["receipt_id"]!) }
                #expect(rows.map(\.rowID) == expected.map { Int64($0.offset + 1) })
                #expect(rows.map(\.values) == expected.map { e in columns.map { RawValue.text(e.element[$0]!) } })
                #expect(try pos.rows(of: "receipts", columns: columns, keyColumn: "receipt_id", keys: []) == [])

                // Sales rows whose key is empty: looked up by "".
                let sales = try workload.csv("sales.csv")
                let blank = sales.enumerated().filter { $0.element["sale_id"] == "" }.map { Int64($0.offset + 1) }
                #expect(try pos.rows(of: "sales", columns: ["sale_id"], keyColumn: "sale_id", keys: [""]).map(\.rowID) == blank)
            }
        }

        @Test func blankKeyCandidatesAreTheRowsWhoseKeyMayBeBlank() throws {
            try withBackfill { workload, scratch in
                let pos = MariaDBPOSDatabase(configuration: scratch.configuration)
                let sales = try workload.csv("sales.csv")
                let blank = sales.enumerated().filter { ($0.element["sale_id"] ?? "").isEmpty }.map { Int64($0.offset + 1) }
                try #require(!blank.isEmpty)
                let all = try pos.blankKeyCandidates(of: "sales", columns: ["sale_id"], keyColumn: "sale_id", afterRowID: 0, limit: 100_000)
                #expect(all.rows.map(\.rowID) == blank)
                #expect(all.highest == Int64(sales.count))
                // At most `limit` rows; the highest row id whatever the page.
                let page = try pos.blankKeyCandidates(of: "sales", columns: ["sale_id"], keyColumn: "sale_id", afterRowID: 0, limit: 1)
                #expect(page.rows.map(\.rowID) == [blank[0]])
                #expect(page.highest == Int64(sales.count))
            }
        }

        @Test func keyLookupsUseTheKeyIndex() throws {
            try withBackfill { workload, scratch in
                let db = try scratch.connect()
                try db.execute("ANALYZE TABLE sales")
                let sql = try MariaDBPOSDatabase.keyLookupSQL(table: "sales", columns: ["qty", "total"], keyColumn: "sale_id",
                                                             literals: ["'17'", "'4711'", "'123'"], context: "test")
                #expect(sql == "SELECT `_row`, `sale_id`, `qty`, `total` FROM `sales` WHERE `sale_id` IN ('17','4711','123') ORDER BY `_row`")
                let plan = try db.query("EXPLAIN " + sql)
                #expect(plan.count == 1)
                #expect(plan.first?[5] == .text("sales_pk"), "\(plan)")   // EXPLAIN's `key` column
            }
        }

        @Test func keysMatchExactlyThoughTheCollationIgnoresCaseAccentsAndTrailingSpaces() throws {
            let scratch = try MariaDBScratch()
            defer { scratch.drop() }
            let db = try scratch.connect()
            try db.execute("CREATE TABLE items (_row BIGINT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(64), name VARCHAR(64), KEY items_pk (code))")
            try db.execute("INSERT INTO items (code, name) VALUES ('A-1', 'upper'), ('a-1', 'lower'), ('A-1 ', 'trailing space'), ('Ä-1', 'umlaut'), ('A-1', 'second version'), (NULL, 'no key')")
            let pos = MariaDBPOSDatabase(configuration: scratch.configuration)
            let upper = try pos.rows(of: "items", columns: ["code", "name"], keyColumn: "code", keys: ["A-1"])
            #expect(upper == [POSRow(rowID: 1, values: [.text("A-1"), .text("upper")]),
                              POSRow(rowID: 5, values: [.text("A-1"), .text("second version")])])
            let others = try pos.rows(of: "items", columns: ["name"], keyColumn: "code", keys: ["Ä-1", "a-1", "A-1 "])
            #expect(others == [POSRow(rowID: 2, values: [.text("lower")]), POSRow(rowID: 3, values: [.text("trailing space")]),
                               POSRow(rowID: 4, values: [.text("umlaut")])])
            let nullKey = try pos.rows(of: "items", columns: ["code", "name"], afterRowID: 5, limit: 10)
            #expect(nullKey == [POSRow(rowID: 6, values: [.null, .text("no key")])])
        }

        @Test func unknownOrInvalidTablesAndColumnsAreBadSchema() throws {
            let workload = try POSWorkload.generate(products: 10, receipts: 10, sales: 10)
            defer { workload.remove() }
            let scratch = try MariaDBScratch()
            defer { scratch.drop() }
            try scratch.load(workload, phase: "backfill")
            let pos = MariaDBPOSDatabase(configuration: scratch.configuration)
            let table = try #require(throws: SourceError.self) {
                try pos.rows(of: "salez", columns: ["sale_id"], afterRowID: 0, limit: 10)
            }
            #expect(table.code == .badSchema)
            #expect(table.context == pos.label)
            #expect(table.cause == "error 1146 (42S02): Table '\(scratch.name).salez' doesn't exist")
            let column = try #require(throws: SourceError.self) {
                try pos.rows(of: "sales", columns: ["sale_id"], keyColumn: "sales_id", keys: ["1"])
            }
            #expect(column.code == .badSchema)
            #expect(column.cause == "error 1054 (42S22): Unknown column 'sales_id' in 'SELECT'")
            let injected = try #require(throws: SourceError.self) {
                try pos.rows(of: "sales` WHERE 1; DROP TABLE sales; --", columns: [], afterRowID: 0, limit: 1)
            }
            #expect(injected.code == .badSchema)
            #expect(injected.context == pos.label)
            // Schema errors keep the connection; the next call works.
            #expect(pos.isConnected)
            #expect(try pos.rows(of: "sales", columns: ["sale_id"], afterRowID: 0, limit: 100).count == 10)
        }

        @Test func oddChangeLogEntriesAreReadLikeSQLiteReadsThem() throws {
            let scratch = try MariaDBScratch()
            defer { scratch.drop() }
            let db = try scratch.connect()
            try db.execute("""
                CREATE TABLE log_table_sync_change (id BIGINT AUTO_INCREMENT PRIMARY KEY, table_name VARCHAR(64) NULL,
                pk VARCHAR(64) NULL, op VARCHAR(3) NULL, change_time DATETIME(3) NOT NULL)
                """)
            try db.execute("""
                INSERT INTO log_table_sync_change (table_name, pk, op, change_time) VALUES
                ('sales', '17', 'X', '2026-03-04 05:06:07.891'), ('sales', NULL, ' D', '0000-00-00 00:00:00'),
                (NULL, '18', NULL, '2026-12-31 23:59:59'), ('sales', '19', 'd', '2026-01-01 00:00:00')
                """)
            let pos = MariaDBPOSDatabase(configuration: scratch.configuration)
            #expect(try pos.changes(after: 0, limit: 10) == [
                ChangeLogEntry(id: 1, table: "sales", pk: "17", op: .update, changeTime: "2026-03-04 05:06:07"),
                ChangeLogEntry(id: 2, table: "sales", pk: "", op: .delete, changeTime: "0000-00-00 00:00:00"),
                ChangeLogEntry(id: 3, table: "", pk: "18", op: .update, changeTime: "2026-12-31 23:59:59"),
                ChangeLogEntry(id: 4, table: "sales", pk: "19", op: .update, changeTime: "2026-01-01 00:00:00"),
            ])
            #expect(try pos.maxChangeID() == 4)
        }

        @Test func aWrongPasswordFailsEveryCallWithoutThePassword() throws {
            var config = MariaDBScratch.baseConfiguration
            config.password = "not-the-pw-4477"
            let pos = MariaDBPOSDatabase(configuration: config)
            for _ in 0..<2 {
                let error = try #require(throws: SourceError.self) { try pos.maxChangeID() }
                #expect(error.code == .unavailable)
                #expect(error.description.hasPrefix("\(pos.label): unavailable: error 1045 (28000): Access denied for user"))
                #expect(!error.description.contains("not-the-pw-4477"))
                #expect(!pos.isConnected)
            }
        }
    }
}
