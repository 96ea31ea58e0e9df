public import LedgerLog

/// How a rebuild keeps one table's netted rows: appended in log order, and dropped when a later
/// event of the same key replaces or deletes them.
public protocol AnalyticsReplayStorage: Sendable {
    init()
    /// Stores the next row; rows are numbered in the order they are appended.
    mutating func append(_ values: [AnalyticsValue])
    /// Row `index` was replaced or deleted by a later event.
    mutating func remove(_ index: Int)
}

/// A replay's events netted to their final effect: per table, the last upsert of each key (kept
/// by `Storage`), the keys whose last event is a delete, and the last event seen; plus the dead
/// letters. What a rebuild from empty loads in bulk instead of applying batch after batch. Pure; a
/// target does the I/O.
public struct AnalyticsReplay<Storage: AnalyticsReplayStorage>: Sendable {
    /// One table's netted rows.
    public struct Rows: Sendable {
        public let table: AnalyticsTable
        public private(set) var storage = Storage()
        /// Whether each stored row is still the last upsert of its key.
        public private(set) var alive: [Bool] = []
        private var rowOfKey = RowIndex()
        /// Keys whose last event in the range is a delete.
        public private(set) var deletedKeys: Set<AnalyticsValue> = []
        public private(set) var liveRows = 0
        /// For `sales`: each row's basket line (nil when its receipt or product code is NULL).
        private var lines: [BasketLine?] = []
        private let tracksLines: Bool
        /// The offset and commit time of the table's last event in the range (applied or dead-lettered).
        public internal(set) var lastEvent: (offset: UInt64, time: Timestamp)?

        init(table: AnalyticsTable) {
            self.table = table
            tracksLines = table.name == AnalyticsSchema.sales.name
        }

        mutating func upsert(_ values: [AnalyticsValue]) {
            let key = values[0]
            if let old = rowOfKey.move(key, to: alive.count) { drop(old) } else { liveRows += 1 }
            if !deletedKeys.isEmpty { deletedKeys.remove(key) }
            storage.append(values)
            alive.append(true)
            if tracksLines { lines.append(AnalyticsBatch.line(values)) }
        }

        mutating func delete(_ key: AnalyticsValue) {
            if let old = rowOfKey.move(key, to: nil) {
                drop(old)
                liveRows -= 1
            }
            deletedKeys.insert(key)
        }

        private mutating func drop(_ row: Int) {
            alive[row] = false
            storage.remove(row)
        }

        /// The co-occurrence inputs of the live rows (for `sales`), ordered by receipt, then code by bytes.
        public func coOccurrenceInputs() -> [CoOccurrenceInput] {
            var live: [BasketLine] = []
            live.reserveCapacity(liveRows)
            for i in lines.indices where alive[i] {
                if let l = lines[i] { live.append(l) }
            }
            return CoOccurrenceInput.grouping(live)
        }
    }

    public private(set) var tables: [Rows] = AnalyticsSchema.entityTables.map { Rows(table: $0) }
    public private(set) var deadLetters: [ProjectionDeadLetter] = []
    public private(set) var events = 0
    public private(set) var ignored = 0
    /// The last event added.
    public private(set) var last: (offset: UInt64, hash: Digest32)?

    public init() {}

    /// Per entity: the offset and commit time of its last event in the range (what `ingest_state` records).
    public var lastEvents: [String: (offset: UInt64, time: Timestamp)] {
        var out: [String: (offset: UInt64, time: Timestamp)] = [:]
        for t in tables { if let e = t.lastEvent { out[t.table.name] = e } }
        return out
    }

    /// Adds the next event of the range.
    public mutating func add(_ event: LedgerLog.LogEvent) {
        events += 1
        last = (event.offset, event.hash)
        switch AnalyticsChange.decode(event) {
        case .ignore:
            ignored += 1
        case .poison(let reason):
            deadLetters.append(ProjectionDeadLetter(event: event, reason: reason))
            if let table = AnalyticsSchema.table(forEntity: event.entity) { tables[index(of: table)].lastEvent = (event.offset, event.time) }
        case .upsert(let table, let values):
            let i = index(of: table)
            tables[i].upsert(values)
            tables[i].lastEvent = (event.offset, event.time)
        case .delete(let table, let key):
            let i = index(of: table)
            tables[i].delete(key)
            tables[i].lastEvent = (event.offset, event.time)
        }
    }

    /// The co-occurrence inputs of the netted `sales` rows.
    public func coOccurrenceInputs() -> [CoOccurrenceInput] {
        tables[index(of: AnalyticsSchema.sales)].coOccurrenceInputs()
    }

    /// The position of `table` in ``tables``, found by name: searching `tables` itself would copy
    /// each `Rows` it passes.
    private func index(of table: AnalyticsTable) -> Int {
        AnalyticsSchema.entityTableNames.firstIndex(of: table.name)!
    }
}

/// Rows kept as values, a replaced one freed at once (the SQLite bulk rebuild binds them).
public struct AnalyticsValueRows: AnalyticsReplayStorage {
    fileprivate var rows: [[AnalyticsValue]?] = []

    public init() {}
    public mutating func append(_ values: [AnalyticsValue]) { rows.append(values) }
    public mutating func remove(_ index: Int) { rows[index] = nil }
}

extension AnalyticsReplay.Rows where Storage == AnalyticsValueRows {
    /// The live rows ordered by key (integers numerically, text by bytes): the order a B-tree is
    /// built fastest in.
    public func sortedByKey() -> [[AnalyticsValue]] {
        storage.rows.compactMap { $0 }.sorted { AnalyticsValue.keyPrecedes($0[0], $1[0]) }
    }
}
