public import LedgerLog
public import LedgerProjection

/// A replay's events netted to their final effect: per entity table, the last upsert of each key as
/// a COPY text row, and the keys whose last event is a delete; plus dead letters and, per entity,
/// the last event seen. Pure: ``PostgresReplay`` does the I/O.
public struct PostgresReplayBuffer: Sendable {
    /// One table's netted rows.
    public struct Rows: Sendable {
        public let table: AnalyticsTable
        /// Encoded rows, one after another; a row replaced by a later event of its key is dead.
        private var bytes: [UInt8] = []
        private var ends: [Int] = []
        private var alive: [Bool] = []
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
            if let old = rowOfKey.move(key, to: ends.count) { alive[old] = false } else { liveRows += 1 }
            if !deletedKeys.isEmpty { deletedKeys.remove(key) }
            var text = PostgresCopyText(bytes: bytes)
            bytes = []
            text.append(values)
            bytes = text.takeBytes()
            ends.append(bytes.count)
            alive.append(true)
            if tracksLines { lines.append(AnalyticsBatch.line(values)) }
        }

        mutating func delete(_ key: AnalyticsValue) {
            if let old = rowOfKey.move(key, to: nil) {
                alive[old] = false
                liveRows -= 1
            }
            deletedKeys.insert(key)
        }

        /// The co-occurrence inputs of the live rows (for `sales`): lines per receipt and product
        /// code, ordered by receipt, then code by bytes.
        public func coOccurrenceInputs() -> [CoOccurrenceInput] {
            var live: [BasketLine] = []
            live.reserveCapacity(liveRows)
            for i in lines.indices where alive[i] {
                if let l = lines[i] { live.append(l) }
            }
            return CoOccurrenceInput.grouping(live)
        }

        /// The COPY text of the live rows from row `row` on, up to about `size` bytes, in log order;
        /// advances `row`, and returns nil when no row is left.
        public func chunk(from row: inout Int, size: Int = 1 << 20) -> [UInt8]? {
            guard row < ends.count else { return nil }
            var chunk: [UInt8] = []
            chunk.reserveCapacity(size + 1024)
            while row < ends.count && chunk.count < size {
                if alive[row] { chunk += bytes[(row == 0 ? 0 : ends[row - 1])..<ends[row]] }
                row += 1
            }
            return chunk
        }
    }

    public private(set) var tables: [Rows] = AnalyticsSchema.entityTables.map { Rows(table: $0) }
    public private(set) var deadLetters: [ProjectionDeadLetter] = []
    /// Per entity: the offset and commit time of its last event in the range (applied or dead-lettered).
    public var lastEvent: [String: (offset: UInt64, time: Timestamp)] {
        var out: [String: (offset: UInt64, time: Timestamp)] = [:]
        for t in tables { if let e = t.lastEvent { out[t.table.name] = e } }
        return out
    }
    public private(set) var events = 0
    public private(set) var ignored = 0
    /// The last event added.
    public private(set) var last: (offset: UInt64, hash: Digest32)?

    public init() {}

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

    private func index(of table: AnalyticsTable) -> Int {
        tables.firstIndex { $0.table.name == table.name }!
    }
}
