import GRDB
import GRDBSQLite
import LedgerLog
public import LedgerProjection
public import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `ledger replay sqlite`: rebuilds the embedded analytics projection from offset 0 into
/// `<db>.rebuild`, then renames it over the live file. Readers that have the old file open keep
/// reading it; new connections see the rebuilt one.
///
/// The log is netted in memory to the last event per key (``AnalyticsReplay``) while the next chunk
/// is read on another thread; rows are inserted in key order, co-occurrence is computed in memory
/// meanwhile, and the file is written without a journal (a crash leaves only a `.rebuild` file,
/// removed by the next replay). The projector's lock file is held throughout.
public struct SQLiteReplay: Sendable {
    public var path: String
    public var logDirectory: String
    public var projector: String
    public var logger: Logger

    public init(path: String, logDirectory: String, projector: String = "sqlite", logger: Logger) {
        self.path = path
        self.logDirectory = logDirectory
        self.projector = projector
        self.logger = logger
    }

    /// The file a rebuild is written to before the swap.
    public var buildPath: String { path + ".rebuild" }

    /// Rebuilds up to the log's head at the start and swaps the file in.
    /// - Parameter progress: called with each offset read and the head.
    public func run(progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) async throws(ProjectionError) -> ReplayResult {
        let lock = try SQLiteLockFile(path: path + ".lock", projector: projector)
        defer { lock.release() }
        var phases = ReplayPhases()

        // Read and net the whole log; the next chunk is read while this one is netted.
        var replay = AnalyticsReplay<AnalyticsValueRows>()
        let reader: LogReader
        let head: HeadRecord
        do {
            reader = try LogReader(directory: logDirectory)
            head = try reader.head()
        } catch {
            throw ProjectionError(.log, context: "reading \(logDirectory)", cause: error.description)
        }
        _ = try await BatchReader.forEachChunk(of: reader, from: 0, limit: head.nextOffset, progress: progress) { events in
            for e in events { replay.add(e) }
        }
        guard replay.events == Int(head.nextOffset) else {
            throw ProjectionError(.log, context: "reading \(logDirectory)", cause: "read \(replay.events) events, expected \(head.nextOffset)")
        }
        let netted = replay
        let checkpoint = netted.last.map { ProjectionCheckpoint(nextOffset: $0.offset + 1, lastHash: $0.hash) } ?? .start
        phases.lap("read")

        // Co-occurrence is computed while the entity rows are written.
        let derived = Task.detached {
            let inputs = netted.coOccurrenceInputs()
            return (inputs, CoOccurrence.sortedPairs(of: inputs))
        }
        let build = buildPath
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(build + suffix) }
        do {
            var config = Configuration()
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA page_size = 16384; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -524288; PRAGMA temp_store = MEMORY")
            }
            let db = try DatabaseQueue(path: build, configuration: config)
            try SQLiteAnalyticsSchema.migrator.migrate(db)
            try await db.write { db in
                for t in netted.tables {
                    let insert = try BulkInsert(db, SQLiteAnalyticsSchema.upsertHead(t.table), columns: t.table.allColumns.count)
                    try insert.insert(t.sortedByKey()) { s, first, values in
                        for (i, v) in values.enumerated() { s.bind(first + Int32(i), v) }
                    }
                }
            }
            phases.lap("entities")
            let (inputs, pairs) = await derived.value
            try await db.write { [projector] db in
                try BulkInsert(db, "INSERT INTO basket_lines (receipt_no, product_code, lines) VALUES", columns: 3).insert(inputs) { s, first, i in
                    s.bind(first, i.receiptNo)
                    s.bind(first + 1, i.productCode)
                    s.bind(first + 2, i.lines)
                }
                try BulkInsert(db, "INSERT INTO also_bought (product_a, product_b, receipts) VALUES", columns: 3).insert(pairs) { s, first, pair in
                    s.bind(first, pair.pair.a)
                    s.bind(first + 1, pair.pair.b)
                    s.bind(first + 2, pair.receipts)
                }
                try SQLiteAnalyticsTarget.writeState(deadLetters: netted.deadLetters, checkpoint: checkpoint, projector: projector, db)
            }
            try await db.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try db.close()
        } catch {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(build + suffix) }
            throw SQLiteAnalyticsTarget.projectionError(error, context: "rebuilding \(build)")
        }
        phases.lap("co-occurrence")

        // The swap: the old file's WAL goes first, so the new file never meets it.
        for suffix in ["-wal", "-shm"] { unlink(path + suffix) }
        guard rename(build, path) == 0 else {
            throw ProjectionError(.target, context: "renaming \(build) to \(path)", cause: String(cString: strerror(errno)))
        }
        phases.lap("swap")
        var rows: [String: Int] = [:]
        for t in netted.tables { rows[t.table.name] = t.liveRows }
        let (inputs, pairs) = await derived.value
        rows[AnalyticsSchema.basketLines] = inputs.count
        rows[AnalyticsSchema.alsoBought] = pairs.count
        logger.info("replay done", metadata: ["path": "\(path)", "checkpoint": "\(checkpoint)", "events": "\(netted.events)"])
        return ReplayResult(from: 0, checkpoint: checkpoint, events: netted.events, deadLettered: netted.deadLetters.count, rows: rows, phases: phases.phases)
    }
}
