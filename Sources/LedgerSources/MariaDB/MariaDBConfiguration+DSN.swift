public import LedgerCore

extension MariaDBConfiguration {
    /// Parses `mysql://user:password@host:port/database?connect_timeout=5&read_timeout=30&write_timeout=30`.
    ///
    /// The scheme may also be `mariadb`. User, password and database may be percent-encoded; the
    /// password may also contain `@`, `/` and `:` as they are (the last `@` ends the credentials). The
    /// port defaults to 3306, a timeout is whole seconds. Errors never repeat the credentials.
    public static func parse(dsn: String) throws(SourceError) -> MariaDBConfiguration {
        func bad(_ cause: String) -> SourceError { SourceError(.badInput, context: "mariadb DSN", cause: cause) }

        guard let schemeEnd = dsn.firstRange(of: "://") else { throw bad("expected mysql://user:password@host:port/database") }
        let scheme = dsn[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "mysql" || scheme == "mariadb" else { throw bad("scheme '\(scheme)' is not mysql or mariadb") }
        let rest = dsn[schemeEnd.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { throw bad("no user: expected user[:password]@ before the host") }
        let credentials = rest[..<at]
        let afterCredentials = rest[rest.index(after: at)...]
        guard let slash = afterCredentials.firstIndex(of: "/") else { throw bad("no database: expected /database after the host") }
        let authority = afterCredentials[..<slash]
        var path = afterCredentials[afterCredentials.index(after: slash)...]
        var query: Substring = ""
        if let mark = path.firstIndex(of: "?") {
            query = path[path.index(after: mark)...]
            path = path[..<mark]
        }

        let rawUser: Substring, rawPassword: Substring
        if let colon = credentials.firstIndex(of: ":") {
            rawUser = credentials[..<colon]
            rawPassword = credentials[credentials.index(after: colon)...]
        } else {
            rawUser = credentials
            rawPassword = ""
        }
        guard let user = percentDecoded(rawUser), !user.isEmpty else { throw bad("the user is empty or badly percent-encoded") }
        guard let password = percentDecoded(rawPassword) else { throw bad("the password is badly percent-encoded") }
        guard let database = percentDecoded(path), !database.isEmpty else { throw bad("the database is empty or badly percent-encoded") }

        let host: Substring, portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw bad("unclosed '[' in host '\(authority)'") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let tail = authority[authority.index(after: close)...]
            if tail.isEmpty { portText = nil }
            else if tail.hasPrefix(":") { portText = tail.dropFirst() }
            else { throw bad("unexpected '\(tail)' after host '[\(host)]'") }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
            portText = nil
        }
        guard !host.isEmpty else { throw bad("the host is empty") }
        var port = 3306
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else { throw bad("port '\(portText)' is not a number from 1 to 65535") }
            port = p
        }

        var timeouts = Timeouts()
        for item in query.split(separator: "&") where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard parts.count == 2, let seconds = Int(parts[1]), seconds > 0, seconds <= 86_400 else {
                throw bad("option '\(name)' needs a number of seconds from 1 to 86400")
            }
            switch name {
            case "connect_timeout": timeouts.connect = .seconds(seconds)
            case "read_timeout": timeouts.read = .seconds(seconds)
            case "write_timeout": timeouts.write = .seconds(seconds)
            default: throw bad("unknown option '\(name)' (connect_timeout, read_timeout, write_timeout)")
            }
        }
        return MariaDBConfiguration(host: String(host), port: port, user: user, password: password,
                                    database: database, timeouts: timeouts)
    }

    /// `%XX` sequences decoded; nil when one is malformed or the result is not UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard utf8.count >= 2, let high = hexValue(utf8.removeFirst()), let low = hexValue(utf8.removeFirst()) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Every byte outside `[A-Za-z0-9._~-]` as `%XX`, so that ``parse(dsn:)`` reads it back.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "-"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
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
