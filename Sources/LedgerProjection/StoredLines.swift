/// What a batch's co-occurrence delta reads from a target: bounds of the stored sale ids and
/// receipts, the stored lines of the batch's sales that differ from their first lines in the batch,
/// and the stored baskets of the receipts those lines leave or join.
///
/// A target may read them ahead, while the batch before is still being written: they then show the
/// state before that batch, and ``AnalyticsBatch/storedLines(_:after:)`` and
/// ``basket(_:after:)`` bring them up to date with what it committed (``CommittedLines``).
public struct StoredLines: Sendable {
    /// The largest stored sale id, nil when no sale is stored.
    public var maxSale: Int64?
    /// A receipt number at or above that of every stored basket (Postgres reads the largest in
    /// `sales`), nil when none is stored: receipts above it have no basket to read.
    public var maxReceipt: Int64?
    /// Sales whose stored line (nil: none) differs from their first line in the batch.
    public var differing: [Int64: BasketLine?]
    /// The stored baskets read, by receipt (product code → lines); an empty basket is read too.
    public var baskets: [Int64: [ExactText: Int64]]
    /// The checkpoint (next offset) of a commit the reads were known to see: they saw every batch
    /// before it.
    public var sawThrough: UInt64

    public init(maxSale: Int64?, maxReceipt: Int64?, differing: [Int64: BasketLine?], baskets: [Int64: [ExactText: Int64]], sawThrough: UInt64) {
        self.maxSale = maxSale
        self.maxReceipt = maxReceipt
        self.differing = differing
        self.baskets = baskets
        self.sawThrough = sawThrough
    }

    /// Whether these reads can serve the batch at `start`: they saw every batch before it, or
    /// every one before `last` where `last` ends at `start` (and is overlaid).
    public func canServe(batchAt start: UInt64, last: CommittedLines?) -> Bool {
        if sawThrough >= start { return true }
        guard let last, last.offsets.upperBound == start else { return false }
        return sawThrough >= last.offsets.lowerBound
    }

    /// The receipts among `receipts` whose baskets a target still has to read: stored ones (at or
    /// below ``maxReceipt``) not read yet.
    public func unread(_ receipts: Set<Int64>) -> [Int64] {
        guard let maxReceipt else { return [] }
        return receipts.filter { $0 <= maxReceipt && baskets[$0] == nil }.sorted()
    }

    /// The basket of `receipt` after `last`: as read (empty if not stored), with the lines `last`
    /// set.
    public func basket(_ receipt: Int64, after last: CommittedLines?) -> [ExactText: Int64] {
        var basket = baskets[receipt] ?? [:]
        if let set = last?.baskets[receipt] {
            for (code, n) in set { basket[code] = n > 0 ? n : nil }
        }
        return basket
    }
}
