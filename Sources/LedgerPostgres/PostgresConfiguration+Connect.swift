public import Logging
public import LedgerProjection
public import PostgresNIO

extension PostgresConfiguration {
    /// The PostgresNIO configuration for this server and database (no TLS: loopback and private networks).
    public var connectionConfiguration: PostgresConnection.Configuration {
        .init(host: server.host, port: server.port, username: user, password: password, database: database, tls: .disable)
    }

    /// Opens one connection; failures are ``ProjectionError``s whose description has no password.
    public func connect(id: Int = 1, logger: Logger) async throws(ProjectionError) -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: connectionConfiguration, id: id, logger: logger)
        } catch {
            throw PostgresErrorClassification.projectionError(error, context: "connecting to \(self)")
        }
    }

    /// `schema` quoted as a SQL string literal.
    static func literal(_ text: String) -> String {
        "'" + text.replacing("'", with: "''") + "'"
    }
}
