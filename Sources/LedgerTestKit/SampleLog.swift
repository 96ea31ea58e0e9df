public import LedgerLog
import Logging

/// A small deterministic log for damage and recovery tests: a sealed first segment and an active
/// second one, each with several batches of different sizes, written with a stepping clock.
public struct SampleLog: Sendable {
    /// Every event in offset order.
    public var events: [NewEvent]
    /// The appends, in order; each one is one batch.
    public var batches: [[NewEvent]]
    public var head: HeadRecord

    /// Batch sizes of the sealed segment, then of the active one.
    public static let sealedBatchSizes = [3, 1, 4, 2, 5]
    public static let activeBatchSizes = [2, 3, 1, 4]

    /// The configuration used: one offset-index entry per segment (its first batch), so that opening
    /// a writer walks the whole active segment; key runs every five events.
    public static var configuration: LogConfiguration {
        var c = LogConfiguration()
        c.indexIntervalBytes = 1 << 40
        c.keyRunSize = 5
        return c
    }

    public static func event(_ i: Int) -> NewEvent {
        try! NewEvent(
            op: i % 9 == 8 ? .delete : .upsert, source: "pos", entity: i % 2 == 0 ? "orders" : "returns",
            keyFields: ["order_id"], rowversion: i % 3 == 0 ? "v\(i)" : nil,
            fields: [
                Field("order_id", .string("o-\(i % 5)")),
                Field("amount", .decimal(LedgerDecimal("\(i * 37 % 1000).\(i % 10)5")!)),
                Field("qty", .integer(Int64(i) - 7)),
                Field("note", .string(String(repeating: "note \(i) ünïcödé ", count: 1 + i % 4))),
            ])
    }

    /// Writes the log into `directory` (created if needed).
    public static func write(to directory: String, configuration: LogConfiguration = SampleLog.configuration) throws -> SampleLog {
        let clock = SteppingClock(start: 1_767_254_400_000_000, step: 1_000_000)
        var logger = Logger(label: "sample-log")
        logger.logLevel = .error
        let writer = try LogWriter(directory: directory, configuration: configuration, clock: clock.logClock, logger: logger)
        var events: [NewEvent] = []
        var batches: [[NewEvent]] = []
        func append(_ n: Int) throws {
            let batch = (events.count..<(events.count + n)).map(event)
            try writer.append(batch)
            events += batch
            batches.append(batch)
        }
        for n in sealedBatchSizes { try append(n) }
        try writer.sealActiveSegment()
        for n in activeBatchSizes { try append(n) }
        let head = writer.head
        writer.close()
        return SampleLog(events: events, batches: batches, head: head)
    }
}
