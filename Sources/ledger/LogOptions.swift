import ArgumentParser
import Logging
import LedgerLog

#if canImport(Glibc)
import Glibc
#endif

/// `--log DIR` or `LEDGER_LOG`, shared by every command.
struct LogOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The log directory (default: $LEDGER_LOG).", valueName: "DIR"))
    var log: String?

    func directory() throws -> String {
        if let log { return log }
        if let env = getenv("LEDGER_LOG") { return String(cString: env) }
        throw ValidationError("no log directory: pass --log DIR or set LEDGER_LOG")
    }

    /// A logger writing to stderr; level from `LEDGER_LOG_LEVEL` (default: warning).
    static func makeLogger() -> Logger {
        let level = getenv("LEDGER_LOG_LEVEL").flatMap { Logger.Level(rawValue: String(cString: $0)) } ?? .warning
        var logger = Logger(label: "ledger") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }
}
