import ArgumentParser
import LedgerPostgres
import LedgerProjection
import Logging
import PostgresNIO

#if canImport(Glibc)
import Glibc
#endif

/// `ledger migrate`: applies (or with `--down N` undoes) the Postgres projection's migrations.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the Postgres analytics migrations (projections/postgres, embedded in this binary).",
        discussion: "The DSN comes from --dsn or PG_DSN. Exit codes: 0 ok; 64 bad usage; 75 the server failed or is unreachable."
    )

    @Option(help: "postgres://user:password@host:port/database (default: $PG_DSN).")
    var dsn: String?

    @Option(help: "The schema holding the analytics tables (default: the DSN's ?schema= or 'analytics').")
    var schema: String?

    @Option(help: "Undo the N most recent migrations instead of applying.")
    var down: Int?

    func run() async throws {
        guard let text = dsn ?? getenv("PG_DSN").map({ String(cString: $0) }) else {
            Terminal.error("ledger: migrate needs --dsn or PG_DSN")
            throw ExitCode.validationFailure
        }
        var configuration: PostgresConfiguration
        do { configuration = try PostgresConfiguration(dsn: text) } catch {
            Terminal.error("ledger: \(error)")
            throw ExitCode.validationFailure
        }
        if let schema {
            guard PostgresConfiguration.isIdentifier(schema) else {
                Terminal.error("ledger: --schema must match [a-z_][a-z0-9_]*")
                throw ExitCode.validationFailure
            }
            configuration.schema = schema
        }
        let logger = LogOptions.makeLogger()
        let migrator = PostgresMigrator(schema: configuration.schema)
        do {
            let connection = try await PostgresConnection.connect(
                configuration: .init(host: configuration.server.host, port: configuration.server.port,
                                     username: configuration.user, password: configuration.password,
                                     database: configuration.database, tls: .disable),
                id: 1, logger: logger)
            let message: String
            do {
                if let down {
                    let undone = try await migrator.down(down, on: connection, logger: logger)
                    message = "undid " + (undone.isEmpty ? "nothing" : undone.map(String.init).joined(separator: ", "))
                } else {
                    let applied = try await migrator.up(on: connection, logger: logger)
                    message = "applied " + (applied.isEmpty ? "nothing (up to date)" : applied.map(String.init).joined(separator: ", "))
                }
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
            print("\(configuration): \(message)")
        } catch {
            Terminal.error("ledger: \(PostgresErrorClassification.projectionError(error, context: "migrate \(configuration)"))")
            throw ExitStatus.tempFailure
        }
    }
}
