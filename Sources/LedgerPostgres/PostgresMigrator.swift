public import Logging
public import PostgresNIO
import NIOCore

/// Applies and undoes the embedded ``PostgresMigrations`` on one schema, recording each applied
/// version in `public.ledger_migrations` (outside the schema, which the first down migration drops).
public struct PostgresMigrator: Sendable {
    public let schema: String
    public let migrations: [PostgresMigrations.Migration]

    public init(schema: String, migrations: [PostgresMigrations.Migration] = PostgresMigrations.embedded) {
        self.schema = schema
        self.migrations = migrations
    }

    /// The versions applied on the schema, ascending.
    public func appliedVersions(on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await appliedVersions(on: PostgresSession(connection), logger: logger)
    }

    /// Applies every pending migration, each in its own transaction; returns the versions applied.
    @discardableResult
    public func up(on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await up(on: PostgresSession(connection), logger: logger)
    }

    /// Undoes the `count` most recent applied migrations, newest first; returns the versions undone.
    @discardableResult
    public func down(_ count: Int, on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        let session = PostgresSession(connection)
        let applied = try await appliedVersions(on: session, logger: logger)
        var done: [Int] = []
        for version in applied.reversed().prefix(count) {
            guard let migration = migrations.first(where: { $0.version == version }) else { continue }
            logger.info("migrate down", metadata: ["schema": "\(schema)", "version": "\(version)"])
            try await run(Self.statements(migration.downSQL(schema: schema)) + ["""
                DELETE FROM public.ledger_migrations WHERE schema_name = '\(schema)' AND version = \(version)
                """], on: session, logger: logger)
            done.append(version)
        }
        return done
    }

    func appliedVersions(on session: PostgresSession, logger: Logger) async throws -> [Int] {
        _ = try await session.query("""
            CREATE TABLE IF NOT EXISTS public.ledger_migrations (
                schema_name text NOT NULL, version int NOT NULL, name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (schema_name, version))
            """, logger: logger)
        let rows = try await session.query(
            "SELECT version FROM public.ledger_migrations WHERE schema_name = \(schema) ORDER BY version",
            logger: logger)
        var versions: [Int] = []
        for try await version in rows.decode(Int.self) { versions.append(version) }
        return versions
    }

    @discardableResult
    func up(on session: PostgresSession, logger: Logger) async throws -> [Int] {
        let applied = Set(try await appliedVersions(on: session, logger: logger))
        var done: [Int] = []
        for migration in migrations where !applied.contains(migration.version) {
            logger.info("migrate up", metadata: ["schema": "\(schema)", "version": "\(migration.version)"])
            try await run(Self.statements(migration.upSQL(schema: schema)) + ["""
                INSERT INTO public.ledger_migrations (schema_name, version, name)
                VALUES ('\(schema)', \(migration.version), '\(migration.name)')
                """], on: session, logger: logger)
            done.append(migration.version)
        }
        return done
    }

    /// Runs `statements` in one transaction (the extended protocol takes one statement per query).
    private func run(_ statements: [String], on session: PostgresSession, logger: Logger) async throws {
        _ = try await session.query("BEGIN", logger: logger)
        do {
            for statement in statements {
                _ = try await session.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            _ = try await session.query("COMMIT", logger: logger)
        } catch {
            _ = try? await session.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Splits a migration at semicolons that end a line outside `$$` bodies.
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingPrefix(while: { $0 == " " })
            if trimmed.hasPrefix("--") { continue }
            current += line + "\n"
            if line.split(separator: "$$", omittingEmptySubsequences: false).count % 2 == 0 { inBody.toggle() }
            if !inBody, line.hasSuffix(";") {
                statements.append(String(current.dropLast(2)))
                current = ""
            }
        }
        if current.contains(where: { !$0.isWhitespace }) { statements.append(current) }
        return statements
    }
}
