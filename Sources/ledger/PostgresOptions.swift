import ArgumentParser
import LedgerPostgres
import LedgerProjection

#if canImport(Glibc)
import Glibc
#endif

/// `--dsn` (default `$PG_DSN`) and `--schema`: where the Postgres projection lives.
struct PostgresOptions: ParsableArguments {
    @Option(help: "postgres://user:password@host:port/database[?schema=NAME] (default: $PG_DSN).")
    var dsn: String?

    @Option(help: "The schema holding the analytics tables (default: the DSN's ?schema= or 'analytics').")
    var schema: String?

    /// Whether a DSN was given, by flag or environment.
    var isGiven: Bool { text != nil }

    private var text: String? {
        dsn ?? getenv("PG_DSN").flatMap { $0.pointee == 0 ? nil : String(cString: $0) }
    }

    /// The parsed configuration; exits 64 with a message naming the problem (never the password).
    func configuration(for command: String) throws -> PostgresConfiguration {
        guard let text else {
            Terminal.error("ledger: \(command) needs --dsn or PG_DSN")
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
        return configuration
    }
}
