internal import CMariaDB
public import LedgerCore

/// `mysql_library_init` once per process, before the first `mysql_init`: when `mysql_init` has to
/// initialise the library itself it is not thread-safe. Swift runs a global's initialiser exactly once.
private let libraryInitialized: Bool = mysql_server_init(0, nil, nil) == 0

/// One connection to a MariaDB (or MySQL) server, over the Connector/C library (`libmariadb`).
///
/// Talks the text protocol with `utf8mb4`, over TCP, autocommit on, one statement per call (no
/// multi-statements, no `LOAD DATA LOCAL`). Results are streamed with `mysql_use_result`, one row at
/// a time, so a large result never sits in memory twice.
///
/// Errors are ``SourceError``s whose context is ``MariaDBConfiguration/label`` (never the password):
/// `unavailable` for a refused, timed-out or lost connection, a server shutting down, access denied,
/// lock timeouts and deadlocks; `badSchema` for an unknown table, column or index; `notFound` for an
/// unknown database; `badInput` for any other statement the server rejects. After a lost connection
/// the connection closes itself (``isOpen`` turns false); make a new one to retry. The library's
/// automatic reconnect stays off, so a session never silently changes under a caller.
///
/// Thread-safety: use a connection from one thread at a time (it is deliberately not `Sendable`);
/// moving it to another thread between calls is fine. Connector/C 3 needs no `mysql_thread_init`
/// (deprecated there; `mysql_init` does what is needed) and its library is initialised once, here.
public final class MariaDBConnection {
    public let configuration: MariaDBConfiguration
    private(set) var mysql: UnsafeMutablePointer<MYSQL>?

    /// Connects; throws `unavailable` when the server cannot be reached or refuses the login.
    public init(_ configuration: MariaDBConfiguration) throws(SourceError) {
        self.configuration = configuration
        guard libraryInitialized else {
            throw SourceError(.unavailable, context: configuration.label, cause: "mysql_library_init failed")
        }
        guard let handle = mysql_init(nil) else {
            throw SourceError(.unavailable, context: configuration.label, cause: "mysql_init failed: out of memory")
        }
        Self.setOptions(handle, configuration)
        let connected = configuration.host.withCString { host in
            configuration.user.withCString { user in
                configuration.password.withCString { password in
                    configuration.database.withCString { database in
                        mysql_real_connect(handle, host, user, password, database, UInt32(clamping: configuration.port), nil, 0)
                    }
                }
            }
        }
        guard connected != nil else {
            let failure = Self.failure(handle, label: configuration.label)
            mysql_close(handle)
            throw failure.error
        }
        mysql = handle
    }

    deinit { close() }

    /// False once ``close()`` was called or the connection was lost.
    public var isOpen: Bool { mysql != nil }

    /// Closes the connection; later calls throw `unavailable`. Closing twice is harmless.
    public func close() {
        if let mysql { mysql_close(mysql) }
        mysql = nil
    }

    /// Runs a statement that returns no rows (DDL, INSERT, UPDATE, SET, ...) and returns the number
    /// of affected rows. A result set, if the statement has one, is read and discarded.
    @discardableResult
    public func execute(_ sql: String) throws(SourceError) -> UInt64 {
        let handle = try send(sql)
        if mysql_field_count(handle) > 0 {
            if let result = mysql_store_result(handle) { mysql_free_result(result) }
            else { throw raise(Self.failure(handle, label: configuration.label)) }
            return 0
        }
        return mysql_affected_rows(handle)
    }

    /// The `AUTO_INCREMENT` id the last INSERT on this connection generated (0 if none).
    public var lastInsertID: UInt64 {
        guard let mysql else { return 0 }
        return mysql_insert_id(mysql)
    }

    /// All rows of a query: NULL is `.null`, UTF-8 text `.text`, anything else (binary columns) `.bytes`.
    public func query(_ sql: String) throws(SourceError) -> [[RawValue]] {
        var rows: [[RawValue]] = []
        try forEachRow(sql) { row throws(SourceError) in rows.append(row) }
        return rows
    }

    /// Streams the rows of a query to `body`, one at a time, as the server sends them
    /// (`mysql_use_result`): memory stays bounded by one row whatever the result's size.
    ///
    /// When `body` throws, the rest of the result is read and dropped (the protocol requires it; a
    /// large remainder takes time) and the error is rethrown; the connection stays usable. Do not
    /// use this connection from within `body`.
    public func forEachRow(_ sql: String, _ body: ([RawValue]) throws(SourceError) -> Void) throws(SourceError) {
        let handle = try send(sql)
        guard let result = mysql_use_result(handle) else {
            if mysql_errno(handle) != 0 { throw raise(Self.failure(handle, label: configuration.label)) }
            return   // a statement without a result set
        }
        let columns = Int(mysql_num_fields(result))
        var values: [RawValue] = []
        values.reserveCapacity(columns)
        var bodyError: SourceError?
        while let row = mysql_fetch_row(result) {
            guard let lengths = mysql_fetch_lengths(result) else { break }
            values.removeAll(keepingCapacity: true)
            for i in 0..<columns { values.append(Self.value(row[i], length: lengths[i])) }
            do { try body(values) } catch { bodyError = error; break }
        }
        // A NULL row is either the end or an error; read the error before freeing the result.
        let fetchFailure = bodyError == nil && mysql_errno(handle) != 0 ? Self.failure(handle, label: configuration.label) : nil
        mysql_free_result(result)
        if let bodyError { throw bodyError }
        if let fetchFailure { throw raise(fetchFailure) }
    }

    /// Sends one statement; the handle, ready for its result.
    private func send(_ sql: String) throws(SourceError) -> UnsafeMutablePointer<MYSQL> {
        guard let handle = mysql else {
            throw SourceError(.unavailable, context: configuration.label, cause: "the connection is closed")
        }
        var sql = sql
        let rc = sql.withUTF8 { text in
            text.withMemoryRebound(to: CChar.self) { mysql_real_query(handle, $0.baseAddress, UInt($0.count)) }
        }
        if rc != 0 { throw raise(Self.failure(handle, label: configuration.label)) }
        return handle
    }

    /// Closes the connection when the failure lost it; the error to throw.
    private func raise(_ failure: Failure) -> SourceError {
        if failure.connectionLost { close() }
        return failure.error
    }

    @inline(__always)
    private static func value(_ field: UnsafeMutablePointer<CChar>?, length: UInt) -> RawValue {
        guard let field else { return .null }
        return TextBytes.rawValue(UnsafeRawBufferPointer(start: field, count: Int(length)))
    }

    private static func setOptions(_ handle: UnsafeMutablePointer<MYSQL>, _ configuration: MariaDBConfiguration) {
        func seconds(_ d: Duration) -> UInt32 {
            let (s, atto) = d.components
            return UInt32(clamping: max(1, s + (atto > 0 ? 1 : 0)))
        }
        var connectTimeout = seconds(configuration.timeouts.connect)
        var readTimeout = seconds(configuration.timeouts.read)
        var writeTimeout = seconds(configuration.timeouts.write)
        var tcp = UInt32(MYSQL_PROTOCOL_TCP.rawValue)
        var off: UInt32 = 0
        _ = mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        _ = mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &readTimeout)
        _ = mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &writeTimeout)
        _ = mysql_options(handle, MYSQL_OPT_PROTOCOL, &tcp)
        _ = mysql_options(handle, MYSQL_OPT_LOCAL_INFILE, &off)
        _ = "utf8mb4".withCString { mysql_options(handle, MYSQL_SET_CHARSET_NAME, $0) }
    }
}
