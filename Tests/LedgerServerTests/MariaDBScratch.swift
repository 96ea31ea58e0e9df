import LedgerCore
import LedgerSources
import LedgerTestKit
import Testing

/// A fresh database `ledger_t_<random>` on the test server, dropped by ``drop()``: every test has
/// its own, so test runs never see each other's tables.
final class MariaDBScratch {
    /// The test server's login (``ServerEnvironment/mariaDB``) for its base database.
    static var baseConfiguration: MariaDBConfiguration {
        let server = ServerEnvironment.mariaDB
        return MariaDBConfiguration(host: server.host, port: server.port, user: server.user,
                                    password: server.password, database: server.database,
                                    timeouts: .init(connect: .seconds(5), read: .seconds(30), write: .seconds(30)))
    }

    let name: String
    let configuration: MariaDBConfiguration

    init() throws {
        name = "ledger_t_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        var configuration = Self.baseConfiguration
        let admin = try MariaDBConnection(configuration)
        defer { admin.close() }
        do {
            try admin.execute("CREATE DATABASE `\(name)` CHARACTER SET utf8mb4")
        } catch {
            Issue.record("""
                cannot create the test database \(name): \(error). The test user needs \
                GRANT ALL ON `ledger\\_t\\_%`.* (tools/db-up's provisioning).
                """)
            throw error
        }
        configuration.database = name
        self.configuration = configuration
    }

    /// A new connection to the scratch database.
    func connect() throws -> MariaDBConnection { try MariaDBConnection(configuration) }

    func drop() {
        do {
            let admin = try MariaDBConnection(Self.baseConfiguration)
            try admin.execute("DROP DATABASE IF EXISTS `\(name)`")
        } catch {
            Issue.record("dropping \(name) failed: \(error)")
        }
    }

    /// Runs `pos_load.py <workload> --phase <phase> --mysql | mariadb ...` into this database; the
    /// password goes through `MYSQL_PWD`, never the command line.
    func load(_ workload: POSWorkload, phase: String) throws {
        let scripts = ServerEnvironment.workloadScripts
        let result = try Command.run(
            ["bash", "-c", "set -o pipefail; python3 \"$1\" \"$2\" --phase \"$3\" --mysql | mariadb --no-defaults --protocol=TCP -h \"$4\" -P \"$5\" -u \"$6\" \"$7\"",
             "load", scripts + "/pos_load.py", workload.directory.path, phase, configuration.host, String(configuration.port),
             configuration.user, name],
            environment: ["MYSQL_PWD": configuration.password])
        try #require(result.status == 0, "pos_load.py --phase \(phase) | mariadb failed: \(result.error)")
    }
}

extension POSWorkload {
    /// `gen_pos.py DIR --products 300 --receipts 2000 --sales 6000` (seed 42: deterministic).
    static func small() throws -> POSWorkload { try generate(products: 300, receipts: 2000, sales: 6000) }

    /// One of the workload's CSV files, as header → value maps.
    func csv(_ name: String) throws -> [[String: String]] { try CSVFile.rows(path: path(name)) }

    func remove() { directory.remove() }
}
