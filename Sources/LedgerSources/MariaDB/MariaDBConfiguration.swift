/// Where and how to connect to a MariaDB (or MySQL) server.
///
/// Safe to print and log: ``description`` and ``label`` never contain the password, and neither does
/// the mirror `dump` and the debugger use.
public struct MariaDBConfiguration: Sendable, Hashable {
    /// Client-side time limits, applied with `mysql_options` before connecting.
    public struct Timeouts: Sendable, Hashable {
        /// Connecting, including the handshake (`MYSQL_OPT_CONNECT_TIMEOUT`).
        public var connect: Duration
        /// Waiting for the server's answer to one read (`MYSQL_OPT_READ_TIMEOUT`).
        public var read: Duration
        /// Sending one packet (`MYSQL_OPT_WRITE_TIMEOUT`).
        public var write: Duration

        public init(connect: Duration = .seconds(10), read: Duration = .seconds(60), write: Duration = .seconds(60)) {
            self.connect = connect
            self.read = read
            self.write = write
        }
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var database: String
    public var timeouts: Timeouts

    public init(host: String = "127.0.0.1", port: Int = 3306, user: String, password: String, database: String,
                timeouts: Timeouts = Timeouts()) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.timeouts = timeouts
    }

    /// `host:port`, with an IPv6 address in brackets.
    public var hostAndPort: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// Names the server and database without secrets: `mariadb 127.0.0.1:3306/pos`. The context of every
    /// ``SourceError`` a connection throws.
    public var label: String { "mariadb \(hostAndPort)/\(database)" }
}

extension MariaDBConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The DSN with the password replaced by `***`: `mysql://ledger:***@127.0.0.1:3306/pos`.
    public var description: String {
        let credentials = MariaDBConfiguration.percentEncoded(user) + (password.isEmpty ? "" : ":***")
        return "mysql://\(credentials)@\(hostAndPort)/\(MariaDBConfiguration.percentEncoded(database))"
    }

    public var debugDescription: String { "MariaDBConfiguration(\(description))" }

    /// What `dump` and debuggers show: every field but the password, which reads `***`.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "port": port, "user": user, "password": password.isEmpty ? "" : "***",
            "database": database, "timeouts": timeouts,
        ], displayStyle: .struct)
    }
}
