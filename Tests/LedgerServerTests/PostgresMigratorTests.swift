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

    @Test func upIsIdempotentAndDownDropsTheSchema() async throws {
        let logger = Logger(label: "test.migrate")
        let connection = try await Self.connect(logger: logger)
        let schema = "ledger_t_\(UInt32.random(in: 0...UInt32.max))"
        let migrator = PostgresMigrator(schema: schema)
        do {
            #expect(try await migrator.up(on: connection, logger: logger) == [1, 2])
            #expect(try await migrator.up(on: connection, logger: logger) == [])
            #expect(try await migrator.appliedVersions(on: connection, logger: logger) == [1, 2])
            // products, receipts, sales, also_bought, basket_lines, checkpoint, dead letters, ingest_state, sync_status
            #expect(try await Self.tableCount(schema: schema, on: connection, logger: logger) == 9)
            #expect(try await migrator.down(2, on: connection, logger: logger) == [2, 1])
            #expect(try await migrator.appliedVersions(on: connection, logger: logger) == [])
            #expect(try await Self.tableCount(schema: schema, on: connection, logger: logger) == 0)
        } catch {
            _ = try? await migrator.down(2, on: connection, logger: logger)
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}
