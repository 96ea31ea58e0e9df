internal import CMariaDB
public import LedgerCore

extension MariaDBConnection {
    /// `value` escaped with `mysql_real_escape_string` for this connection's character set and SQL
    /// mode, without quotes. Throws `unavailable` when the connection is closed.
    public func escape(_ value: String) throws(SourceError) -> String {
        guard let handle = mysql else {
            throw SourceError(.unavailable, context: configuration.label, cause: "the connection is closed")
        }
        var value = value
        return value.withUTF8 { source in
            String(unsafeUninitializedCapacity: source.count * 2 + 1) { target in
                let written = source.withMemoryRebound(to: CChar.self) { from in
                    target.withMemoryRebound(to: CChar.self) { to in
                        mysql_real_escape_string(handle, to.baseAddress, from.baseAddress, UInt(from.count))
                    }
                }
                return Int(written)
            }
        }
    }

    /// A quoted SQL string literal: `'it''s'`, escaped by ``escape(_:)``.
    public func literal(_ value: String) throws(SourceError) -> String {
        "'" + (try escape(value)) + "'"
    }

    /// A SQL literal for a raw value: `NULL`, a quoted string, or a hex literal for bytes.
    public func literal(_ value: RawValue) throws(SourceError) -> String {
        switch value {
        case .null: return "NULL"
        case .text(let text): return try literal(text)
        case .bytes(let bytes):
            if bytes.isEmpty { return "''" }
            let hex = Array("0123456789ABCDEF".utf8)
            return "X'" + String(decoding: bytes.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0xF)]] }, as: UTF8.self) + "'"
        }
    }

    /// `name` in backticks, after checking it is a plain identifier: 1 to 64 of `[A-Za-z0-9_]`.
    /// Anything else is `badSchema`, so no identifier from a mapping can change a statement.
    public static func quoteIdentifier(_ name: String, context: String) throws(SourceError) -> String {
        let plain = !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): true
            default: false
            }
        }
        guard plain else {
            throw SourceError(.badSchema, context: context, cause: "'\(name)' is not an identifier of [A-Za-z0-9_] (1 to 64)")
        }
        return "`" + name + "`"
    }
}
