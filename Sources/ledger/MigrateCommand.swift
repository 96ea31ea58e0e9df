import ArgumentParser
import LedgerPostgres
import LedgerProjection
import Logging
import PostgresNIO

/// `ledger migrate`: applies (or with `--down N` undoes) the Postgres projection's migrations.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the Postgres analytics migrations (projections/postgres, embedded in this binary).",
        discussion: "The DSN comes from --dsn or PG_DSN. Exit codes: 0 ok; 64 bad usage; 75 the server failed or is unreachable."
    )

    @OptionGroup var postgres: PostgresOptions

    @Option(help: "Undo the N most recent migrations instead of applying.")
    var down: Int?

    func run() async throws {
        let configuration = try postgres.configuration(for: "migrate")
        let logger = LogOptions.makeLogger()
        let migrator = PostgresMigrator(schema: configuration.schema)
        do {
            let connection = try await configuration.connect(logger: logger)
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
