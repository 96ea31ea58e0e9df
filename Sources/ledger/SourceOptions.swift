import ArgumentParser
import LedgerCore
import LedgerLog

#if canImport(Glibc)
import Glibc
#endif

/// Which source to read, from a config file or flags: `ledger sync --sqlite pos.db`,
/// `ledger sync --mysql DSN`, or `ledger sync CONFIG`.
struct SourceOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("A source config file (JSON; see README).", valueName: "CONFIG"))
    var config: String?

    @Option(help: ArgumentHelp("A SQLite point-of-sale database with the standard schema.", valueName: "PATH"))
    var sqlite: String?

    @Option(help: ArgumentHelp("A MariaDB/MySQL point-of-sale database: mysql://user:pass@host:port/db (default: $LEDGER_MYSQL_DSN, which keeps the password out of `ps`).", valueName: "DSN"))
    var mysql: String?

    @Option(help: ArgumentHelp("A mapping file for a schema other than the standard one (see projections/mappings/).", valueName: "FILE"))
    var mapping: String?

    @Option(help: ArgumentHelp("The source's time zone for local times: UTC, +07:00 or an IANA name.", valueName: "TZ"))
    var timeZone: String?

    @Option(name: .customLong("source-name"), help: "The name recorded on every event (default: pos).")
    var sourceName: String?

    /// The resolved settings.
    func resolve() throws -> SourceSettings {
        var s = SourceSettings()
        if let config { s = try SourceSettings.load(config) }
        if let sqlite { s.sqlite = sqlite; s.mysql = nil }
        if let mysql { s.mysql = mysql; s.sqlite = nil }
        if s.sqlite == nil && s.mysql == nil, config == nil, let env = getenv("LEDGER_MYSQL_DSN") { s.mysql = String(cString: env) }
        if let mapping { s.mapping = mapping }
        if let timeZone { s.timeZone = timeZone }
        if let sourceName { s.name = sourceName }
        guard (s.sqlite == nil) != (s.mysql == nil) else {
            throw ValidationError("name one source: CONFIG, --sqlite PATH or --mysql DSN")
        }
        return s
    }
}

/// A source's settings as a config file holds them.
struct SourceSettings {
    var name = "pos"
    var sqlite: String?
    var mysql: String?
    var mapping: String?
    var timeZone: String?
    var batchSize: Int?

    /// Reads `{"name": "pos", "sqlite": "pos.db" | "mysql": "mysql://...", "mapping": "m.json",
    /// "time_zone": "Asia/Ho_Chi_Minh", "batch_size": 8192}`. Relative paths are relative to the file.
    static func load(_ path: String) throws -> SourceSettings {
        guard let bytes = FileBytes.read(path) else {
            Terminal.error("ledger: \(path): cannot read the config file")
            throw ExitStatus.noInput
        }
        let json: JSONValue
        do { json = try JSONParser.parse(String(decoding: bytes, as: UTF8.self)) } catch {
            Terminal.error("ledger: \(path): not valid JSON: \(error)")
            throw ExitStatus.dataError
        }
        guard case .object(let members) = json else {
            Terminal.error("ledger: \(path): expected a JSON object")
            throw ExitStatus.dataError
        }
        let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) + "/" : ""
        func relative(_ p: String) -> String { p.hasPrefix("/") ? p : dir + p }
        var s = SourceSettings()
        for (key, value) in members {
            func string() throws -> String {
                guard case .string(let v) = value else {
                    Terminal.error("ledger: \(path): \(key): expected a string")
                    throw ExitStatus.dataError
                }
                return v
            }
            switch key {
            case "name": s.name = try string()
            case "sqlite": s.sqlite = relative(try string())
            case "mysql": s.mysql = try string()
            case "mapping": s.mapping = relative(try string())
            case "time_zone": s.timeZone = try string()
            case "batch_size":
                guard case .number(let n) = value, let v = Int(n), v > 0 else {
                    Terminal.error("ledger: \(path): batch_size: expected a positive integer")
                    throw ExitStatus.dataError
                }
                s.batchSize = v
            default:
                Terminal.error("ledger: \(path): unknown key \"\(key)\" (known: name, sqlite, mysql, mapping, time_zone, batch_size)")
                throw ExitStatus.dataError
            }
        }
        return s
    }

    /// The mapping: the file's, or the standard POS schema's.
    func sourceMapping() throws -> SourceMapping {
        guard let mapping else { return .standardPOS(timeZone: timeZone ?? "UTC") }
        do {
            var m = try MappingFile.load(path: mapping)
            if let timeZone { m.timeZone = timeZone }
            return m
        } catch {
            Terminal.error("ledger: \(error)")
            throw ExitStatus.dataError
        }
    }
}
