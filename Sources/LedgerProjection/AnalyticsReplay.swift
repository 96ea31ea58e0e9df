public import LedgerLog

/// A replay's events netted to their final effect, with the values of each table's last upsert per
/// key: what a rebuild from empty loads in bulk instead of applying batch after batch. Pure; a
/// target does the I/O.
public struct AnalyticsReplay: Sendable {
    /// One table's netted rows.
    public struct Rows: Sendable {
        public let table: AnalyticsTable
        /// Rows in log order of their last upsert; nil where a later event replaced or deleted the row.
        private var rows: [[AnalyticsValue]?] = []
        private var rowOfKey = RowIndex()
        public private(set) var liveRows = 0

        init(table: AnalyticsTable) { self.table = table }

        mutating func upsert(_ values: [AnalyticsValue]) {
            if let old = rowOfKey.move(values[0], to: rows.count) { rows[old] = nil } else { liveRows += 1 }
            rows.append(values)
        }

        mutating func delete(_ key: AnalyticsValue) {
            if let old = rowOfKey.move(key, to: nil) {
                rows[old] = nil
                liveRows -= 1
            }
        }

        /// The live rows ordered by key (integers numerically, text by bytes): the order a B-tree
        /// is built fastest in.
        public func sortedByKey() -> [[AnalyticsValue]] {
            rows.compactMap { $0 }.sorted { Self.keyPrecedes($0[0], $1[0]) }
        }

        static func keyPrecedes(_ a: AnalyticsValue, _ b: AnalyticsValue) -> Bool {
            switch (a, b) {
            case (.bigint(let x), .bigint(let y)): x < y
            case (.text(let x), .text(let y)): x.utf8.lexicographicallyPrecedes(y.utf8)
            default: false
            }
        }

        /// The co-occurrence inputs of the live rows (for `sales`), ordered by receipt, then code by bytes.
        public func coOccurrenceInputs() -> [CoOccurrenceInput] {
            var live: [BasketLine] = []
            live.reserveCapacity(liveRows)
            for case let r? in rows {
                if let l = AnalyticsBatch.line(r) { live.append(l) }
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

    /// Adds the next event of the range.
    public mutating func add(_ event: LedgerLog.LogEvent) {
        events += 1
        last = (event.offset, event.hash)
        switch AnalyticsChange.decode(event) {
        case .ignore: ignored += 1
        case .poison(let reason): deadLetters.append(ProjectionDeadLetter(event: event, reason: reason))
        case .upsert(let table, let values): tables[index(of: table)].upsert(values)
        case .delete(let table, let key): tables[index(of: table)].delete(key)
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
