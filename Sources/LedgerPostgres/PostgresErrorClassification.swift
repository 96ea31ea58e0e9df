public import LedgerProjection
import PostgresNIO

/// Maps PostgresNIO errors to ``ProjectionError``, marking the ones a retry may cure as transient:
/// refused, reset or already closed connections, a server shutting down or restarting, serialization
/// failures and deadlocks.
public enum PostgresErrorClassification {
    /// SQLSTATEs after which retrying the transaction may succeed.
    static let transientStates: Set<String> = [
        "57P01", // admin_shutdown
        "57P02", // crash_shutdown
        "57P03", // cannot_connect_now (starting up, recovery)
        "53300", // too_many_connections
        "40001", // serialization_failure
        "40P01", // deadlock_detected
    ]

    /// Whether retrying after `error` may succeed.
    public static func isTransient(_ error: any Error) -> Bool {
        if error is PostgresConnectionClosed { return true }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return true
        case .server:
            guard let state = error.serverInfo?[.sqlState] else { return false }
            // Class 08: connection exception.
            return state.hasPrefix("08") || transientStates.contains(state)
        default:
            return false
        }
    }

    /// A ``ProjectionError`` for `error`; its cause names the error code, SQLSTATE and server message,
    /// never the connection's password.
    public static func projectionError(_ error: any Error, context: String) -> ProjectionError {
        if let error = error as? ProjectionError { return error }
        var cause: String
        if let psql = error as? PSQLError {
            cause = "\(psql.code)"
            if let info = psql.serverInfo {
                cause += " \(info[.sqlState] ?? "?"): \(info[.message] ?? "")"
            }
        } else if let closed = error as? PostgresConnectionClosed {
            cause = closed.description
        } else {
            cause = String(describing: type(of: error))
        }
        return ProjectionError(.target, context: context, cause: cause, isTransient: isTransient(error))
    }
}
