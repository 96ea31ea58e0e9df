import GRDB
import LedgerProjection

/// The SQLite projection's schema as versioned migrations, built from ``AnalyticsSchema``.
enum SQLiteAnalyticsSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            for table in [AnalyticsSchema.products, AnalyticsSchema.receipts, AnalyticsSchema.sales] {
                try db.execute(sql: createSQL(table))
            }
            try db.execute(sql: """
                CREATE TABLE basket_lines (
                    receipt_no INTEGER NOT NULL,
                    product_code TEXT NOT NULL,
                    lines INTEGER NOT NULL,
                    PRIMARY KEY (receipt_no, product_code)
                ) WITHOUT ROWID;
                CREATE TABLE also_bought (
                    product_a TEXT NOT NULL,
                    product_b TEXT NOT NULL,
                    receipts INTEGER NOT NULL,
                    PRIMARY KEY (product_a, product_b),
                    CHECK (product_a < product_b)
                ) WITHOUT ROWID;
                CREATE TABLE projector_checkpoint (
                    projector TEXT PRIMARY KEY NOT NULL,
                    next_offset INTEGER NOT NULL,
                    last_hash TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE TABLE projector_dead_letters (
                    projector TEXT NOT NULL,
                    event_offset INTEGER NOT NULL,
                    entity TEXT NOT NULL,
                    key TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    event TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    PRIMARY KEY (projector, event_offset)
                );
                """)
        }
        m.registerMigration("v2") { db in
            try db.execute(sql: createSQL(AnalyticsSchema.customers))
        }
        return m
    }

    /// `CREATE TABLE` for an entity table: an integer key is the rowid, a text key makes the
    /// table WITHOUT ROWID.
    static func createSQL(_ table: AnalyticsTable) -> String {
        let columns = table.allColumns.enumerated().map { i, c in
            "\(c.name) \(c.kind.sqliteType)" + (i == 0 ? " PRIMARY KEY" : "") + (c.notNull ? " NOT NULL" : "")
        }
        let rowid = table.key.kind == .bigint ? "" : " WITHOUT ROWID"
        return "CREATE TABLE \(table.name) (\n    " + columns.joined(separator: ",\n    ") + "\n)\(rowid)"
    }

    /// `INSERT OR REPLACE` of every column of `table`.
    static func upsertSQL(_ table: AnalyticsTable) -> String {
        upsertHead(table) + " (" + table.allColumns.map { _ in "?" }.joined(separator: ", ") + ")"
    }

    /// ``upsertSQL(_:)`` up to `VALUES`.
    static func upsertHead(_ table: AnalyticsTable) -> String {
        "INSERT OR REPLACE INTO \(table.name) (\(table.allColumns.map(\.name).joined(separator: ", "))) VALUES"
    }
}
