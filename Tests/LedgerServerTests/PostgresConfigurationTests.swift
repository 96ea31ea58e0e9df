import LedgerPostgres
import LedgerProjection
import Testing

/// DSN parsing for `--dsn` / `PG_DSN` (no server needed).
@Suite struct PostgresConfigurationTests {
    @Test func parsesAFullDSN() throws {
        let configuration = try PostgresConfiguration(dsn: "postgres://ledger:s%40cret@127.0.0.1:55432/ledger_test?schema=bi")
        #expect(configuration.server == .init(host: "127.0.0.1", port: 55432))
        #expect(configuration.user == "ledger")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == "ledger_test")
        #expect(configuration.schema == "bi")
    }

    @Test func defaultsPortAndSchema() throws {
        let configuration = try PostgresConfiguration(dsn: "postgresql://ledger@db.local/ledger")
        #expect(configuration.server.port == 5432)
        #expect(configuration.password == nil)
        #expect(configuration.schema == "analytics")
    }

    @Test func descriptionRedactsThePassword() throws {
        let configuration = try PostgresConfiguration(dsn: "postgres://ledger:topsecret@localhost:5432/ledger")
        #expect(!configuration.description.contains("topsecret"))
        #expect(configuration.description.contains(":***@"))
    }

    @Test(arguments: [
        "mysql://a:b@h/db", "postgres://h:5432/db", "postgres://a:b@h:99999/db",
        "postgres://a:b@h:5432", "postgres://a:b@h/db?schema=Bad-Name",
    ])
    func rejectsBadDSNs(dsn: String) {
        #expect(throws: ProjectionError.self) { try PostgresConfiguration(dsn: dsn) }
    }

    @Test func errorsNeverCarryThePassword() {
        do {
            _ = try PostgresConfiguration(dsn: "postgres://a:topsecret@h:bad/db")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .configuration)
            #expect(!error.description.contains("topsecret"))
        }
    }
}
