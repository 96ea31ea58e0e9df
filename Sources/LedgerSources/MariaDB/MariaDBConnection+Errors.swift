internal import CMariaDB
import LedgerCore

extension MariaDBConnection {
    /// A failed call: the error to throw and whether the connection is gone with it.
    struct Failure {
        var error: SourceError
        var connectionLost: Bool
    }

    /// The last error on `handle`, classified. The cause is the library's message, which names the
    /// host, user and table but never the password.
    static func failure(_ handle: UnsafeMutablePointer<MYSQL>, label: String) -> Failure {
        let number = mysql_errno(handle)
        let message = mysql_error(handle).map { String(cString: $0) } ?? ""
        let state = mysql_sqlstate(handle).map { String(cString: $0) } ?? ""
        let (code, lost) = classify(number)
        let cause = "error \(number)" + (state.isEmpty || state == "00000" ? "" : " (\(state))") + ": " + message
        return Failure(error: SourceError(code, context: label, cause: cause), connectionLost: lost)
    }

    /// The ``SourceError/Code`` for a client or server error number, and whether the connection is lost.
    static func classify(_ number: UInt32) -> (SourceError.Code, connectionLost: Bool) {
        switch number {
        // Client library (2xxx: CR_CONNECTION_ERROR 2002, CR_CONN_HOST_ERROR 2003, CR_SERVER_GONE_ERROR 2006,
        // CR_SERVER_LOST 2013, ...) and Connector/C's network errors (5xxx): the connection is unusable.
        case 2000..<3000, 5000..<6000:
            return (.unavailable, true)
        // Server going down or killing us: ER_SERVER_SHUTDOWN, ER_NET_* (1152-1161), ER_NEW_ABORTING_CONNECTION,
        // ER_CONNECTION_KILLED, ER_CLIENT_INTERACTION_TIMEOUT.
        case 1053, 1152...1161, 1184, 1927, 4031:
            return (.unavailable, true)
        // Worth a retry on the same connection: too many connections, access denied (a password being
        // rotated), lock wait timeout, deadlock, query interrupted, resource limits.
        case 1040, 1044, 1045, 1203, 1205, 1213, 1226, 1317, 1698, 3024:
            return (.unavailable, false)
        // ER_BAD_DB_ERROR: no such database.
        case 1049:
            return (.notFound, false)
        // No such table, column or index: ER_BAD_TABLE_ERROR, ER_BAD_FIELD_ERROR, ER_UNKNOWN_TABLE,
        // ER_NO_SUCH_TABLE, ER_KEY_DOES_NOT_EXISTS, ER_NON_UNIQ_ERROR.
        case 1051, 1054, 1109, 1146, 1176, 1052:
            return (.badSchema, false)
        default:
            return (.badInput, false)
        }
    }
}
