import LedgerCore

/// The standard POS schema in a MariaDB database: tables with an `_row BIGINT AUTO_INCREMENT` row id,
/// text columns, a `<table>_pk` index on each key column, and the change log
/// `log_table_sync_change(id, table_name, pk, op, change_time DATETIME)`.
///
/// Connects on the first call. A call that fails with `unavailable` drops the connection, and the next
/// call connects again (once per call: the caller retries with backoff). Every query is its own
/// autocommit transaction, so each poll sees everything committed before it.
///
/// Used from one thread at a time, like the ``MariaDBConnection`` it holds.
public final class MariaDBPOSDatabase: POSDatabase {
    public let configuration: MariaDBConfiguration
    /// The most keys one `IN (...)` list holds in ``rows(of:columns:keyColumn:keys:)``; also the
    /// chunk size of ``changes(ids:)``.
    public let keysPerQuery: Int
    private var connection: MariaDBConnection?

    /// No connection is made until the first call.
    public init(configuration: MariaDBConfiguration, keysPerQuery: Int = 500) {
        precondition(keysPerQuery > 0, "keysPerQuery must be positive")
        self.configuration = configuration
        self.keysPerQuery = keysPerQuery
    }

    public var label: String { configuration.label }

    /// Whether a connection is open now (false before the first call and after a lost connection).
    public var isConnected: Bool { connection?.isOpen ?? false }

    /// Closes the connection; the next call opens a new one.
    public func disconnect() {
        connection?.close()
        connection = nil
    }

    /// Runs `body` on the open connection, connecting first if there is none; drops the connection
    /// when `body` fails with `unavailable`.
    func withConnection<R>(_ body: (MariaDBConnection) throws(SourceError) -> R) throws(SourceError) -> R {
        let live: MariaDBConnection
        if let connection, connection.isOpen {
            live = connection
        } else {
            connection = nil
            live = try MariaDBConnection(configuration)
            connection = live
        }
        do {
            return try body(live)
        } catch {
            if error.code == .unavailable { disconnect() }
            throw error
        }
    }
}
