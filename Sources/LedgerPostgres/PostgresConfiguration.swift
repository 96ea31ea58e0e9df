public import LedgerProjection

/// Where the Postgres projection connects and which schema it owns.
///
/// Parsed from a DSN such as `postgres://user:pass@host:5432/db?schema=analytics`.
/// The executable reads the DSN from `--dsn` or `PG_DSN`; the library never reads the environment.
public struct PostgresConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// The server's address.
    public struct Server: Sendable, Equatable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int = 5432) {
            self.host = host
            self.port = port
        }
    }

    public var server: Server
    public var user: String
    /// Never printed: `description` redacts it.
    public var password: String?
    public var database: String
    /// The schema readers find the live tables in (`analytics.products`, ...).
    public var schema: String

    public init(server: Server, user: String, password: String?, database: String, schema: String = "analytics") {
        self.server = server
        self.user = user
        self.password = password
        self.database = database
        self.schema = schema
    }

    /// Parses `postgres://` or `postgresql://` DSNs; `?schema=NAME` overrides the default schema.
    public init(dsn: String) throws(ProjectionError) {
        var rest = Substring(dsn)
        if rest.hasPrefix("postgres://") {
            rest = rest.dropFirst("postgres://".count)
        } else if rest.hasPrefix("postgresql://") {
            rest = rest.dropFirst("postgresql://".count)
        } else {
            throw Self.invalid("expected postgres://user:password@host:port/database")
        }
        var query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        // The password may hold '@': the host part follows the last one.
        guard let at = rest.lastIndex(of: "@") else { throw Self.invalid("missing user@") }
        let credentials = rest[..<at]
        let location = rest[rest.index(after: at)...]
        let user: String
        var password: String?
        if let colon = credentials.firstIndex(of: ":") {
            user = try Self.percentDecoded(credentials[..<colon])
            password = try Self.percentDecoded(credentials[credentials.index(after: colon)...])
        } else {
            user = try Self.percentDecoded(credentials)
        }
        guard !user.isEmpty else { throw Self.invalid("missing user") }
        guard let slash = location.firstIndex(of: "/") else { throw Self.invalid("missing /database") }
        let hostPort = location[..<slash]
        let database = try Self.percentDecoded(location[location.index(after: slash)...])
        guard !database.isEmpty else { throw Self.invalid("missing database") }
        var host = String(hostPort)
        var port = 5432
        if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]") {
            host = String(hostPort[..<colon])
            guard let p = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(p) else {
                throw Self.invalid("bad port")
            }
            port = p
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw Self.invalid("missing host") }
        var schema = "analytics"
        for item in query.split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "schema" { schema = try Self.percentDecoded(parts[1]) }
        }
        guard Self.isIdentifier(schema) else { throw Self.invalid("schema must match [a-z_][a-z0-9_]*") }
        self.init(server: Server(host: host, port: port), user: user, password: password,
                  database: database, schema: schema)
    }

    /// A plain lower-case SQL identifier of at most 63 bytes, safe to splice into statements unquoted.
    public static func isIdentifier(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 63, !isDigit(first) else { return false }
        return bytes.allSatisfy { $0 == UInt8(ascii: "_") || isDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
    }

    /// The DSN with the password replaced by `***`.
    public var description: String {
        let secret = password == nil ? "" : ":***"
        return "postgres://\(user)\(secret)@\(server.host):\(server.port)/\(database)?schema=\(schema)"
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func invalid(_ cause: String) -> ProjectionError {
        ProjectionError(.configuration, context: "Postgres DSN", cause: cause)
    }

    private static func percentDecoded(_ text: Substring) throws(ProjectionError) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw invalid("bad percent escape")
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
