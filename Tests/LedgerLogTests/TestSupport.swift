import LedgerLog
import Logging

/// A logger for tests: warnings and errors only, so sealed segments do not flood the output.
func testLogger() -> Logger {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return logger
}

/// Every committed event of the log at `directory`, read with one cursor from offset 0.
func readAll(_ directory: String) throws -> [LedgerLog.LogEvent] {
    let cursor = try LogReader(directory: directory).cursor(from: 0)
    var events: [LedgerLog.LogEvent] = []
    while let e = try cursor.next() { events.append(e) }
    return events
}

/// The bytes that identify a record: entity, a zero byte, then the canonical key (SPEC §4, record id).
func recordKeyBytes(_ e: NewEvent) -> [UInt8] {
    Array(e.entity.utf8) + [0] + Array(EventIdentity.canonicalKey(of: e).utf8)
}
