import LedgerCore
import LedgerLog
import LedgerSQLite
import LedgerSources
import LedgerTestKit
import Logging

/// Runs sources into a log in this process, as `ledger sync` does, and reads back what the log holds.
struct SyncHarness {
    let log: String
    let logger = Logger(label: "test")
    var configuration = SyncConfiguration()

    init(log: String) { self.log = log }

    var deadLetterPath: String { DeadLetterStore.defaultPath(logDirectory: log) }

    /// Runs `source` until caught up (state from the snapshot, saved afterwards, as the CLI does).
    @discardableResult
    func sync(_ source: any ChangeSource, mapping: SourceMapping = .standardPOS()) throws -> SyncCounters {
        let writer = try LogWriter(directory: log, logger: logger)
        defer { writer.close() }
        let (state, _) = try DeltaStateSnapshot.load(directory: log, head: writer.head.nextOffset)
        let pipeline = try SyncPipeline(
            source: source, mapping: mapping, writer: writer, deadLetters: try DeadLetterStore(path: deadLetterPath),
            state: state, configuration: configuration, sleep: { _ in }, logger: logger)
        let counters = try pipeline.runUntilCaughtUp()
        try DeltaStateSnapshot.save(pipeline.state, directory: log)
        return counters
    }

    @discardableResult
    func syncSQLite(_ path: String) throws -> SyncCounters {
        try sync(POSChangeLogSource(database: try SQLitePOSDatabase(path: path)))
    }

    /// The newest version of every live record, from one pass over the whole log.
    func liveRecords() throws -> LiveRecords {
        var live = LiveRecords()
        let reader = try LogReader(directory: log)
        let cursor = try reader.cursor(from: 0, limit: try reader.head().nextOffset)
        while let e = try cursor.next() {
            live.events += 1
            switch e.op {
            case .checkpoint: live.checkpoints += 1
            case .upsert: live.records[e.recordID] = e
            case .delete: live.records[e.recordID] = nil
            }
        }
        return live
    }

    func openDeadLetters() throws -> [StoredDeadLetter] {
        try DeadLetterStore(path: deadLetterPath).list(status: .open)
    }
}

/// What a log holds at its head.
struct LiveRecords {
    var records: [XXH128: LedgerLog.LogEvent] = [:]
    var events = 0
    var checkpoints = 0

    func count(_ entity: String) -> Int { records.values.reduce(0) { $0 + ($1.entity == entity ? 1 : 0) } }

    /// The exact sum of `field` over the live records of `entity`.
    func sum(_ field: String, of entity: String) -> String {
        var s = DecimalSum()
        for e in records.values where e.entity == entity {
            if case .decimal(let d)? = e.value(of: field) { s.add(d) }
        }
        return s.text
    }

    /// Record id → data hash, to compare two logs' final states.
    var fingerprint: [XXH128: Digest32] { records.mapValues(\.dataHash) }
}

/// The numbers of a workload's `expected.json`.
struct Expected {
    let json: [(String, JSONValue)]

    init(directory: String) throws {
        guard let bytes = FileBytes.read(directory + "/expected.json"),
              case .object(let o) = try JSONParser.parse(String(decoding: bytes, as: UTF8.self)) else {
            throw HarnessError(description: "no expected.json in \(directory)")
        }
        json = o
    }

    private func object(_ name: String) -> [(String, JSONValue)] {
        if case .object(let o)? = json.first(where: { $0.0 == name })?.1 { return o }
        return []
    }

    func rows(after phase: String, _ entity: String) -> Int {
        if case .number(let n)? = object("rows_after_\(phase)").first(where: { $0.0 == entity })?.1 { return Int(n) ?? -1 }
        return 0
    }

    func malformed(_ phase: String) -> Int {
        guard case .object(let tables)? = object("malformed_rows").first(where: { $0.0 == phase })?.1 else { return 0 }
        return tables.reduce(0) { total, t in if case .number(let n) = t.1 { total + (Int(n) ?? 0) } else { total } }
    }

    var malformedTotal: Int {
        if case .number(let n)? = json.first(where: { $0.0 == "malformed_total" })?.1 { return Int(n) ?? -1 }
        return -1
    }

    var salesTotalAfterDelta: String {
        if case .string(let s)? = json.first(where: { $0.0 == "sales_total_sum_after_delta" })?.1 { return s }
        return ""
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
}
