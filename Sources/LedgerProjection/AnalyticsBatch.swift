public import LedgerLog

/// One batch of events decided for the analytics tables, independent of the target's SQL:
/// the net row effects (the last change per key wins), the dead letters, and the co-occurrence
/// fold once the target has looked up what it stores.
///
/// A target: builds it from the events; looks up the stored `(receipt_no, product_code)` of every
/// sale in ``saleIDs``; calls ``coOccurrence(storedLines:loadBasket:)`` with a loader for the
/// stored baskets; then writes ``effects``, the delta, ``deadLetters`` and the checkpoint in one
/// transaction.
public struct AnalyticsBatch: Sendable {
    /// Row effects in log order of their last change, at most one per table and key.
    public private(set) var effects: [AnalyticsChange] = []
    public private(set) var deadLetters: [ProjectionDeadLetter] = []
    public private(set) var ignored = 0
    /// Events that changed rows (before netting).
    public private(set) var applied = 0
    /// Sales-line changes in log order: the sale id and its new line (nil when deleted, or when
    /// its receipt or product code is NULL).
    public private(set) var salesLines: [(saleID: Int64, line: BasketLine?)] = []
    /// Each sale the batch changes, once, with its first line in the batch (as in ``salesLines``), in
    /// the order of first appearance.
    public private(set) var firstLines: [(saleID: Int64, line: BasketLine?)] = []
    /// Per projected entity: the offset and commit time of its last event in the batch, applied or
    /// dead-lettered (what `ingest_state` records).
    public private(set) var lastEvents: [String: (offset: UInt64, time: Timestamp)] = [:]

    private struct RowKey: Hashable {
        var table: String
        var key: AnalyticsValue
    }

    public init(events: [LedgerLog.LogEvent]) {
        var last: [RowKey: Int] = [:]
        var changes: [AnalyticsChange?] = []
        changes.reserveCapacity(events.count)
        for event in events {
            let change = AnalyticsChange.decode(event)
            let table: AnalyticsTable
            let key: AnalyticsValue
            var saleLine: (saleID: Int64, line: BasketLine?)? = nil
            switch change {
            case .ignore:
                ignored += 1
                continue
            case .poison(let reason):
                deadLetters.append(ProjectionDeadLetter(event: event, reason: reason))
                lastEvents[event.entity] = (event.offset, event.time)
                continue
            case .upsert(let t, let values):
                table = t
                key = values[0]
                if t.name == AnalyticsSchema.sales.name, case .bigint(let id) = key { saleLine = (id, Self.line(values)) }
            case .delete(let t, let k):
                table = t
                key = k
                if t.name == AnalyticsSchema.sales.name, case .bigint(let id) = key { saleLine = (id, nil) }
            }
            applied += 1
            lastEvents[event.entity] = (event.offset, event.time)
            let rk = RowKey(table: table.name, key: key)
            if let saleLine {
                salesLines.append(saleLine)
                if last[rk] == nil { firstLines.append(saleLine) }
            }
            if let i = last[rk] { changes[i] = nil }
            last[rk] = changes.count
            changes.append(change)
        }
        effects = changes.compactMap { $0 }
    }

    /// The basket line of a sales row's values, nil when its receipt or code is NULL.
    public static func line(_ salesValues: [AnalyticsValue]) -> BasketLine? {
        guard case .bigint(let receipt) = salesValues[AnalyticsSchema.salesReceiptNoIndex],
              case .text(let code) = salesValues[AnalyticsSchema.salesProductCodeIndex] else { return nil }
        return BasketLine(receiptNo: receipt, productCode: code)
    }

    /// The distinct sale ids this batch changes, whose stored lines the fold needs.
    public var saleIDs: [Int64] { firstLines.map(\.saleID) }

    /// The stored line of each sale in ``saleIDs`` that has one, from a target's sparse answer: a
    /// target that compares stored lines with ``firstLines`` returns only the sales whose stored
    /// line (nil: none) differs, in `differing`. Every other sale at or below `maxStored` (the
    /// largest stored sale id, nil for none) stores its first line; sales above it store nothing.
    public func storedLines(differing: [Int64: BasketLine?], maxStored: Int64?) -> [Int64: BasketLine] {
        guard let maxStored else { return [:] }
        var stored: [Int64: BasketLine] = [:]
        for (id, first) in firstLines where id <= maxStored {
            if let line = differing[id] ?? first { stored[id] = line }
        }
        return stored
    }

    /// The receipts whose stored baskets ``coOccurrence(storedLines:loadBasket:)`` loads, given the
    /// same `storedLines`: those a sales line leaves or joins. A sale whose line is unchanged (most
    /// updates change a quantity or a price) touches no basket.
    public func basketReceipts(storedLines: [Int64: BasketLine]) -> Set<Int64> {
        var receipts = Set<Int64>()
        forEachLineChange(storedLines: storedLines) { old, new in
            if let r = old?.receiptNo { receipts.insert(r) }
            if let r = new?.receiptNo { receipts.insert(r) }
        }
        return receipts
    }

    /// Folds the batch's sales-line changes into the baskets.
    /// - Parameters:
    ///   - storedLines: the stored line of each sale in ``saleIDs`` that has one.
    ///   - loadBasket: the stored basket of a receipt (product code → lines), called once per receipt.
    public func coOccurrence<E: Error>(storedLines: [Int64: BasketLine],
                                       loadBasket: (Int64) throws(E) -> [ExactText: Int64]) throws(E) -> CoOccurrenceDelta {
        var co = CoOccurrence()
        try forEachLineChange(storedLines: storedLines) { (old, new) throws(E) in
            for r in [old?.receiptNo, new?.receiptNo] {
                if let r, !co.isLoaded(r) { co.load(receiptNo: r, lines: try loadBasket(r)) }
            }
            co.apply(removing: old, adding: new)
        }
        return co.delta()
    }

    /// Each sales line the batch changes, in order, from the line before it (stored, or set earlier
    /// in the batch) to the new one; sales whose line stays the same are skipped.
    private func forEachLineChange<E: Error>(
        storedLines: [Int64: BasketLine], _ body: (BasketLine?, BasketLine?) throws(E) -> Void
    ) throws(E) {
        var current = storedLines
        for (id, new) in salesLines {
            let old = current[id]
            if old == new { continue }
            try body(old, new)
            current[id] = new
        }
    }
}

extension AnalyticsBatch {
    /// The stored line of each sale in ``saleIDs`` that has one, from `reads`, brought up to date
    /// with `last` (the batch committed after the reads began, if any).
    public func storedLines(_ reads: StoredLines, after last: CommittedLines?) -> [Int64: BasketLine] {
        var stored = storedLines(differing: reads.differing, maxStored: reads.maxSale)
        guard let last else { return stored }
        for (id, _) in firstLines {
            if let line = last.sales[id] { stored[id] = line }
        }
        return stored
    }
}
