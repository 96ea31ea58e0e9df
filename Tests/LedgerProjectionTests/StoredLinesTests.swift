import LedgerLog
import LedgerProjection
import LedgerTestKit
import Testing

/// Reads made for a batch while the batch before it is written (``StoredLines``), brought up to
/// date with what that batch committed (``CommittedLines``), must give the same stored lines,
/// baskets and co-occurrence delta as reads made after its commit.
@Suite struct StoredLinesTests {
    /// A store's sales rows: sale id → its line (nil: a row with no receipt or code).
    typealias Store = [Int64: BasketLine?]

    /// The stored baskets of `store`: receipt → product code → lines.
    static func baskets(_ store: Store) -> [Int64: [ExactText: Int64]] {
        var out: [Int64: [ExactText: Int64]] = [:]
        for case let (_, line?) in store { out[line.receiptNo, default: [:]][ExactText(line.productCode), default: 0] += 1 }
        return out
    }

    /// What a target's reads return for `batch` from `store`, as the Postgres target's queries do.
    static func reads(for batch: AnalyticsBatch, from store: Store, sawThrough: UInt64) -> StoredLines {
        let stored = baskets(store)
        var r = StoredLines(maxSale: store.keys.max(), maxReceipt: stored.keys.max(), differing: [:], baskets: [:], sawThrough: sawThrough)
        for (id, first) in batch.firstLines where r.maxSale.map({ id <= $0 }) ?? false {
            let line = store[id] ?? nil
            if line != first { r.differing[id] = .some(line) }
        }
        read(r.unread(batch.basketReceipts(storedLines: batch.storedLines(r, after: nil))), from: store, into: &r)
        return r
    }

    static func read(_ receipts: [Int64], from store: Store, into r: inout StoredLines) {
        let stored = baskets(store)
        for receipt in receipts { r.baskets[receipt] = stored[receipt] ?? [:] }
    }

    /// Random sales events over a few receipts and codes, applied to `store` as they are made.
    static func events(_ count: Int, store: inout Store, rng: inout SeededRandom) throws -> [NewEvent] {
        try (0..<count).map { _ in
            let id = Int64.random(in: 1...30, using: &rng)
            if Int.random(in: 0..<5, using: &rng) == 0 {
                store[id] = nil
                return try TestLog.sale(id, receipt: .integer(0), code: "x", op: .delete)
            }
            let line = BasketLine(receiptNo: Int64.random(in: 1...8, using: &rng), productCode: ["a", "b", "c", "d", "e"].randomElement(using: &rng)!)
            store[id] = .some(line)
            return try TestLog.sale(id, receipt: .integer(line.receiptNo), code: line.productCode)
        }
    }

    @Test(arguments: 0..<60) func readsAheadBroughtUpToDateEqualReadsAfterTheCommit(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var store: Store = [:]
        let log = TestLog()
        defer { log.remove() }
        _ = try log.append(try Self.events(20, store: &store, rng: &rng))
        let before = store
        let first = try log.append(try Self.events(Int.random(in: 1...25, using: &rng), store: &store, rng: &rng))
        let after = store
        let second = try log.append(try Self.events(Int.random(in: 1...25, using: &rng), store: &store, rng: &rng))
        let n = AnalyticsBatch(events: first)
        let next = AnalyticsBatch(events: second)
        let start = first[0].offset, nextStart = second[0].offset

        // Batch N as its target writes it, from reads after the commit before it.
        let nReads = Self.reads(for: n, from: before, sawThrough: start)
        let nDelta = n.coOccurrence(storedLines: n.storedLines(nReads, after: nil)) { nReads.basket($0, after: nil) }
        let committed = CommittedLines(batch: n, delta: nDelta, offsets: start..<nextStart)
        for (receipt, lines) in committed.baskets {
            for (code, count) in lines { #expect((Self.baskets(after)[receipt]?[code] ?? 0) == count, "seed \(seed)") }
        }

        // The next batch from reads after N's commit: the truth.
        let truth = Self.reads(for: next, from: after, sawThrough: nextStart)
        let trueStored = next.storedLines(truth, after: nil)
        let trueDelta = next.coOccurrence(storedLines: trueStored) { truth.basket($0, after: nil) }

        // The same from reads made before N's commit, and (overlaying is idempotent) after it.
        for (ahead, label) in [(Self.reads(for: next, from: before, sawThrough: start), "before"), (truth, "after")] {
            #expect(ahead.canServe(batchAt: nextStart, last: committed))
            var reads = ahead
            let stored = next.storedLines(reads, after: committed)
            #expect(stored == trueStored, "seed \(seed), read \(label)")
            Self.read(reads.unread(next.basketReceipts(storedLines: stored)), from: after, into: &reads)
            #expect(next.coOccurrence(storedLines: stored) { reads.basket($0, after: committed) } == trueDelta, "seed \(seed), read \(label)")
        }
    }

    @Test func readsServeOnlyABatchWhoseEarlierCommitsTheySaw() throws {
        let log = TestLog()
        defer { log.remove() }
        let n = AnalyticsBatch(events: try log.append([try TestLog.sale(1, receipt: .integer(1), code: "a")]))
        let last = CommittedLines(batch: n, delta: CoOccurrenceDelta(), offsets: 10..<20)
        func reads(sawThrough: UInt64) -> StoredLines {
            StoredLines(maxSale: nil, maxReceipt: nil, differing: [:], baskets: [:], sawThrough: sawThrough)
        }
        // They saw every batch before the one at 20, with or without the last commit known.
        #expect(reads(sawThrough: 20).canServe(batchAt: 20, last: nil))
        #expect(reads(sawThrough: 25).canServe(batchAt: 20, last: last))
        // They saw every batch before the last one, which ends where this one starts.
        #expect(reads(sawThrough: 10).canServe(batchAt: 20, last: last))
        #expect(reads(sawThrough: 15).canServe(batchAt: 20, last: last))
        // They missed a commit before the last one, or the last commit known is not the one before
        // this batch (a commit whose acknowledgement was lost), or none is known.
        #expect(!reads(sawThrough: 9).canServe(batchAt: 20, last: last))
        #expect(!reads(sawThrough: 10).canServe(batchAt: 30, last: last))
        #expect(!reads(sawThrough: 10).canServe(batchAt: 20, last: nil))
    }

    @Test func aBasketIsTheReadOneWithTheCommittedLinesSet() throws {
        let log = TestLog()
        defer { log.remove() }
        let n = AnalyticsBatch(events: try log.append([try TestLog.sale(1, receipt: .integer(1), code: "a")]))
        var delta = CoOccurrenceDelta()
        delta.lines = [BasketLine(receiptNo: 4, productCode: "a"): 0, BasketLine(receiptNo: 4, productCode: "c"): 3,
                       BasketLine(receiptNo: 7, productCode: "z"): 1]
        let last = CommittedLines(batch: n, delta: delta, offsets: 0..<1)
        let reads = StoredLines(maxSale: 9, maxReceipt: 5, differing: [:], baskets: [4: ["a": 2, "b": 1], 5: [:]], sawThrough: 0)
        #expect(reads.unread([3, 4, 5, 6]) == [3])
        #expect(reads.basket(4, after: nil) == ["a": 2, "b": 1])
        #expect(reads.basket(4, after: last) == ["b": 1, "c": 3])
        #expect(reads.basket(7, after: last) == ["z": 1])
        #expect(reads.basket(5, after: last) == [:])
        #expect(last.sales[1] == .some(BasketLine(receiptNo: 1, productCode: "a")))
    }
}
