import LedgerPostgres
import LedgerTestKit
import Logging
import PostgresNIO

/// A throwaway schema on the test server (tools/db-up), with its shadow and retired siblings.
struct PostgresScratch {
    let schema: String
    let logger = Logger(label: "test.postgres")

    init() { schema = "ledger_t_\(UInt32.random(in: 0...UInt32.max))" }

    var configuration: PostgresConfiguration {
        let s = ServerEnvironment.postgres
        return PostgresConfiguration(server: .init(host: s.host, port: s.port), user: s.user, password: s.password, database: s.database, schema: schema)
    }

    /// The DSN the CLI takes.
    var dsn: String {
        let s = ServerEnvironment.postgres
        return "postgres://\(s.user):\(s.password)@\(s.host):\(s.port)/\(s.database)?schema=\(schema)"
    }

    func target(name: String = "postgres") -> PostgresAnalyticsTarget {
        PostgresAnalyticsTarget(configuration: configuration, name: name, logger: logger)
    }

    func analytics() async throws -> PostgresAnalytics { try await PostgresAnalytics.connect(configuration, logger: logger) }

    /// Runs `body` with a connection of its own.
    func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let c = try await configuration.connect(logger: logger)
        do {
            let r = try await body(c)
            try? await c.close()
            return r
        } catch {
            try? await c.close()
            throw error
        }
    }

    /// The first column of the first row of `sql`, as text.
    func scalar(_ sql: String) async throws -> String? {
        try await withConnection { c in
            let rows = try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            for try await v in rows.decode(String?.self) { return v }
            return nil
        }
    }

    /// Runs `body` with a fresh scratch schema and drops it afterwards, whether `body` throws or not
    /// (a `defer` cannot wait for the drop, and a test process may end before a detached one runs).
    static func with(_ body: (PostgresScratch) async throws -> Void) async throws {
        let s = PostgresScratch()
        do { try await body(s) } catch {
            await s.drop()
            throw error
        }
        await s.drop()
    }

    /// ``with(_:)`` with two schemas.
    static func with(_ body: (PostgresScratch, PostgresScratch) async throws -> Void) async throws {
        try await with { a in try await with { b in try await body(a, b) } }
    }

    /// Drops the schemas and their migration records.
    func drop() async {
        _ = try? await withConnection { c in
            for s in [schema, schema + "_shadow", schema + "_retired"] {
                _ = try await c.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(s) CASCADE"), logger: logger)
            }
            _ = try await c.query(PostgresQuery(unsafeSQL: "DELETE FROM public.ledger_migrations WHERE schema_name LIKE '\(schema)%'"), logger: logger)
        }
    }
}
