import LedgerPostgres
import LedgerTestKit
import Logging
import PostgresNIO
import Testing

/// `ledger migrate` up and down on a scratch schema of the test server (tools/db-up).
@Suite struct PostgresMigratorTests {
    static func connect(logger: Logger) async throws -> PostgresConnection {
        let server = ServerEnvironment.postgres
        let configuration = PostgresConnection.Configuration(
            host: server.host, port: server.port, username: server.user, password: server.password,
            database: server.database, tls: .disable)
        return try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
    }

    static func tableCount(schema: String, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(
            "SELECT count(*)::int FROM information_schema.tables WHERE table_schema = \(schema)", logger: logger)
        var count = 0
        for try await value in rows.decode(Int.self) { count = value }
        return count
    }

    /// Each table's storage options (`pg_class.reloptions` as text, empty for none), in the order given.
    static func options(of tables: [String], schema: String, on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        var out: [String] = []
        for table in tables {
            let rows = try await connection.query("""
                SELECT coalesce(c.reloptions::text, '') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = \(schema) AND c.relname = \(table)
                """, logger: logger)
            for try await value in rows.decode(String.self) { out.append(value) }
        }
        return out
    }

    /// `pg_class.relkind` of `name` in `schema`: `r` for a table, `v` for a view.
    static func kind(of name: String, schema: String, on c: PostgresConnection, logger: Logger) async throws -> String {
        let rows = try await c.query("""
            SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = \(schema) AND c.relname = \(name)
            """, logger: logger)
        for try await value in rows.decode(String.self) { return value }
        return ""
    }

    /// The rows of `basket_lines` as `receipt/code=lines`, comma-separated in key order.
    static func baskets(schema: String, on c: PostgresConnection, logger: Logger) async throws -> String {
        let rows = try await c.query(PostgresQuery(unsafeSQL: """
            SELECT string_agg(receipt_no || '/' || product_code || '=' || lines, ',' ORDER BY receipt_no, product_code) FROM \(schema).basket_lines
            """), logger: logger)
        for try await value in rows.decode(String.self) { return value }
        return ""
    }

    /// The entities of the `sync_status` view, comma-separated in order.
    static func statusEntities(schema: String, on c: PostgresConnection, logger: Logger) async throws -> String {
        let rows = try await c.query(PostgresQuery(unsafeSQL: "SELECT string_agg(entity, ',' ORDER BY entity) FROM \(schema).sync_status"), logger: logger)
        for try await value in rows.decode(String.self) { return value }
        return ""
    }

    @Test func upIsIdempotentAndDownDropsTheSchema() async throws {
        let logger = Logger(label: "test.migrate")
        let connection = try await Self.connect(logger: logger)
        let schema = "ledger_t_\(UInt32.random(in: 0...UInt32.max))"
        let migrator = PostgresMigrator(schema: schema)
        do {
            #expect(try await migrator.up(on: connection, logger: logger) == [1, 2, 3, 4, 5])
            #expect(try await migrator.up(on: connection, logger: logger) == [])
            #expect(try await migrator.appliedVersions(on: connection, logger: logger) == [1, 2, 3, 4, 5])
            // products, receipts, sales, customers, also_bought, basket_lines (a view), checkpoint, dead letters, ingest_state, sync_status
            #expect(try await Self.tableCount(schema: schema, on: connection, logger: logger) == 10)
            #expect(try await Self.kind(of: "basket_lines", schema: schema, on: connection, logger: logger) == "v")
            #expect(try await Self.statusEntities(schema: schema, on: connection, logger: logger) == "customers,products,receipts,sales")
            let updated = ["also_bought", "basket_lines", "sales"]
            #expect(try await Self.options(of: updated, schema: schema, on: connection, logger: logger) == ["{fillfactor=90}", "", "{fillfactor=90}"])
            // Down from 5: basket_lines is a table again, filled from sales.
            _ = try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO \(schema).sales (sale_id, receipt_no, product_code, _offset, _event_time)
                VALUES (1, 7, 'a', 0, now()), (2, 7, 'a', 1, now()), (3, 7, 'b', 2, now()), (4, NULL, 'c', 3, now())
                """), logger: logger)
            #expect(try await migrator.down(1, on: connection, logger: logger) == [5])
            #expect(try await Self.kind(of: "basket_lines", schema: schema, on: connection, logger: logger) == "r")
            #expect(try await Self.baskets(schema: schema, on: connection, logger: logger) == "7/a=2,7/b=1")
            _ = try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(schema).sales"), logger: logger)
            #expect(try await Self.options(of: updated, schema: schema, on: connection, logger: logger) == Array(repeating: "{fillfactor=90}", count: 3))
            #expect(try await migrator.down(1, on: connection, logger: logger) == [4])
            #expect(try await Self.tableCount(schema: schema, on: connection, logger: logger) == 9)
            #expect(try await Self.statusEntities(schema: schema, on: connection, logger: logger) == "products,receipts,sales")
            #expect(try await migrator.down(1, on: connection, logger: logger) == [3])
            #expect(try await Self.options(of: updated, schema: schema, on: connection, logger: logger) == ["", "", ""])
            #expect(try await migrator.down(2, on: connection, logger: logger) == [2, 1])
            #expect(try await migrator.appliedVersions(on: connection, logger: logger) == [])
            #expect(try await Self.tableCount(schema: schema, on: connection, logger: logger) == 0)
        } catch {
            _ = try? await migrator.down(5, on: connection, logger: logger)
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}
