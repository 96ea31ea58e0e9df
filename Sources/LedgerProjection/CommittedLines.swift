/// The sales lines and basket lines one committed batch left: what ``StoredLines`` read before
/// that batch's commit lack. Every value is the state after the batch, not a change, so
/// overlaying it on reads that already saw the commit changes nothing.
public struct CommittedLines: Sendable {
    /// The batch's offsets.
    public let offsets: Range<UInt64>
    /// Each sale the batch changed, with its line after it (nil: deleted, or a NULL receipt or code).
    public private(set) var sales: [Int64: BasketLine?] = [:]
    /// Per receipt, the basket lines the batch set (product code → lines; 0: the line is gone).
    public private(set) var baskets: [Int64: [ExactText: Int64]] = [:]

    public init(batch: AnalyticsBatch, delta: CoOccurrenceDelta, offsets: Range<UInt64>) {
        self.offsets = offsets
        for (id, line) in batch.salesLines { sales[id] = .some(line) }
        for (line, n) in delta.lines { baskets[line.receiptNo, default: [:]][ExactText(line.productCode)] = n }
    }
}
