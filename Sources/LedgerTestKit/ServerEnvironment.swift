#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The throwaway database servers of the integration tests, as `eval "$(tools/db-up)"` exports them.
/// Unset variables take tools/db-up's defaults.
public enum ServerEnvironment {
    /// One server's login.
    public struct Server: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String
        public var database: String
    }

    /// `MARIADB_HOST` (127.0.0.1), `MARIADB_PORT` (53306), `MARIADB_USER` (ledger),
    /// `MARIADB_PASSWORD` (ledger), `MARIADB_DATABASE` (ledger_test).
    public static var mariaDB: Server {
        Server(host: variable("MARIADB_HOST") ?? "127.0.0.1",
               port: variable("MARIADB_PORT").flatMap { Int($0) } ?? 53306,
               user: variable("MARIADB_USER") ?? "ledger",
               password: variable("MARIADB_PASSWORD") ?? "ledger",
               database: variable("MARIADB_DATABASE") ?? "ledger_test")
    }

    /// `POSTGRES_HOST` (127.0.0.1), `POSTGRES_PORT` (55432), `POSTGRES_USER` (ledger),
    /// `POSTGRES_PASSWORD` (ledger), `POSTGRES_DB` or `POSTGRES_DATABASE` (ledger_test).
    public static var postgres: Server {
        Server(host: variable("POSTGRES_HOST") ?? "127.0.0.1",
               port: variable("POSTGRES_PORT").flatMap { Int($0) } ?? 55432,
               user: variable("POSTGRES_USER") ?? "ledger",
               password: variable("POSTGRES_PASSWORD") ?? "ledger",
               database: variable("POSTGRES_DB") ?? variable("POSTGRES_DATABASE") ?? "ledger_test")
    }

    /// tools/db-restart: `LEDGER_DB_RESTART` as db-up exports it, else the checkout's copy.
    public static var restartScript: String {
        variable("LEDGER_DB_RESTART") ?? PackagePaths.root() + "/tools/db-restart"
    }

    /// The shared workload scripts (gen_pos.py, pos_load.py): `LEDGER_WORKLOAD_DIR`, else `../shared`
    /// next to the checkout, where ``POSWorkload`` finds gen_pos.py.
    public static var workloadScripts: String {
        variable("LEDGER_WORKLOAD_DIR") ?? PackagePaths.root() + "/../shared"
    }

    /// A non-empty environment variable.
    public static func variable(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
