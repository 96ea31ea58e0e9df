import LedgerLog
import LedgerProjection
import LedgerTestKit
import Testing

/// The incremental co-occurrence against a from-scratch recomputation, over random edit sequences
/// applied in random batches (adds, deletes, product swaps, moves to other receipts, re-adds).
@Suite struct CoOccurrenceTests {
    /// What a store holds between batches: basket_lines and also_bought.
    struct Store {
        var lines: [BasketLine: Int64] = [:]
        var pairs: [ProductPair: Int64] = [:]

        func basket(_ receipt: Int64) -> [ExactText: Int64] {
            var b: [ExactText: Int64] = [:]
            for (l, n) in lines where l.receiptNo == receipt { b[ExactText(l.productCode)] = n }
            return b
        }

        mutating func write(_ d: CoOccurrenceDelta) {
            for (l, n) in d.lines { lines[l] = n == 0 ? nil : n }
            for (p, n) in d.pairs {
                let v = pairs[p, default: 0] + n
                pairs[p] = v == 0 ? nil : v
            }
        }
    }

    /// Brute force: baskets from the live sales, pairs counted once per receipt.
    static func expectedPairs(_ sales: [Int: BasketLine]) -> [ProductPair: Int64] {
        var baskets: [Int64: Set<ExactText>] = [:]
        for l in sales.values { baskets[l.receiptNo, default: []].insert(ExactText(l.productCode)) }
        return CoOccurrence.pairs(of: baskets.values)
    }

    static func expectedLines(_ sales: [Int: BasketLine]) -> [BasketLine: Int64] {
        var lines: [BasketLine: Int64] = [:]
        for l in sales.values { lines[l, default: 0] += 1 }
        return lines
    }

    @Test(arguments: 0..<60)
    func incrementalEqualsRecomputation(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let receipts = Int64.random(in: 1...6, using: &rng)
        let codes = (0..<Int.random(in: 2...7, using: &rng)).map { "c\($0)" }
        var sales: [Int: BasketLine] = [:]   // sale_id → its live line
        var store = Store()
        for _ in 0..<Int.random(in: 1...25, using: &rng) {
            // One batch: the target loads the stored basket of every receipt it touches.
            var co = CoOccurrence()
            for _ in 0..<Int.random(in: 1...12, using: &rng) {
                let id = Int.random(in: 0..<15, using: &rng)
                let old = sales[id]
                let new: BasketLine? = Int.random(in: 0..<4, using: &rng) == 0 ? nil
                    : BasketLine(receiptNo: Int64.random(in: 1...receipts, using: &rng), productCode: codes.randomElement(using: &rng)!)
                for r in [old?.receiptNo, new?.receiptNo].compactMap({ $0 }) where !co.isLoaded(r) {
                    co.load(receiptNo: r, lines: store.basket(r))
                }
                co.apply(removing: old, adding: new)
                sales[id] = new
            }
            store.write(co.delta())
            #expect(store.lines == Self.expectedLines(sales), "seed \(seed)")
            #expect(store.pairs == Self.expectedPairs(sales), "seed \(seed)")
        }
    }

    @Test func productSwapMovesThePairs() {
        var co = CoOccurrence()
        co.apply(removing: nil, adding: BasketLine(receiptNo: 1, productCode: "a"))
        co.apply(removing: nil, adding: BasketLine(receiptNo: 1, productCode: "b"))
        var store = Store()
        store.write(co.delta())
        #expect(store.pairs == [ProductPair("a", "b")!: 1])

        var swap = CoOccurrence()
        swap.load(receiptNo: 1, lines: store.basket(1))
        swap.apply(removing: BasketLine(receiptNo: 1, productCode: "b"), adding: BasketLine(receiptNo: 1, productCode: "c"))
        let d = swap.delta()
        #expect(d.pairs == [ProductPair("a", "b")!: -1, ProductPair("a", "c")!: 1])
        #expect(d.lines == [BasketLine(receiptNo: 1, productCode: "b"): 0, BasketLine(receiptNo: 1, productCode: "c"): 1])
    }

    @Test func aSecondLineOfTheSameCodeCountsOnce() {
        var co = CoOccurrence()
        for code in ["a", "b", "b"] { co.apply(removing: nil, adding: BasketLine(receiptNo: 7, productCode: code)) }
        let d = co.delta()
        #expect(d.pairs == [ProductPair("a", "b")!: 1])
        #expect(d.lines[BasketLine(receiptNo: 7, productCode: "b")] == 2)
    }

    @Test func deleteAndReAddInOneBatchChangesNothing() {
        var co = CoOccurrence()
        co.load(receiptNo: 3, lines: ["a": 1, "b": 1])
        co.apply(removing: BasketLine(receiptNo: 3, productCode: "a"), adding: nil)
        co.apply(removing: nil, adding: BasketLine(receiptNo: 3, productCode: "a"))
        #expect(co.delta().isEmpty)
    }

    @Test func topOrdersByCountThenPair() {
        let pairs: [ProductPair: Int64] = [ProductPair("b", "c")!: 2, ProductPair("a", "z")!: 2, ProductPair("a", "b")!: 5, ProductPair("x", "y")!: 1]
        let top = CoOccurrence.top(3, of: pairs)
        #expect(top.map(\.pair) == [ProductPair("a", "b")!, ProductPair("a", "z")!, ProductPair("b", "c")!])
        #expect(top.map(\.receipts) == [5, 2, 2])
    }

    @Test func pairsOrderByBytes() {
        #expect(ProductPair("b", "a") == ProductPair("a", "b"))
        #expect(ProductPair("a", "a") == nil)
        // "Z" (0x5A) sorts before "a" (0x61) by bytes.
        #expect(ProductPair("a", "Z")!.a == "Z")
    }

    /// ``CoOccurrence/sorted(_:)`` (ranks of codes packed in integers) orders pairs as comparing the
    /// pairs does: codes that are prefixes of others, of several bytes per character, decomposed
    /// accents, longer than 16 bytes, and a code that is `a` in one pair and `b` in another.
    @Test(arguments: 0..<20)
    func sortedPairsOrderAsThePairsCompare(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let codes = ["a", "ab", "abc", "B", "é", "e\u{301}", "f", "8930000000001", "8930000000001x", String(repeating: "z", count: 20),
                     String(repeating: "z", count: 20) + "a", "\u{1F600}", ""]
        var pairs: [ProductPair: Int64] = [:]
        for _ in 0..<Int.random(in: 0...60, using: &rng) {
            if let p = ProductPair(codes.randomElement(using: &rng)!, codes.randomElement(using: &rng)!) {
                pairs[p] = Int64.random(in: -3...3, using: &rng)
            }
        }
        let sorted = CoOccurrence.sorted(pairs)
        #expect(sorted.map(\.pair) == pairs.keys.sorted())
        #expect(Dictionary(uniqueKeysWithValues: sorted.map { ($0.pair, $0.receipts) }) == pairs)
    }
}

@Suite struct CoOccurrenceFromScratchTests {
    /// The from-scratch count over grouped inputs equals the incremental fold, in receipt order or not.
    @Test(arguments: 0..<20)
    func fromInputsEqualsIncremental(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var co = CoOccurrence()
        var lines: [BasketLine: Int64] = [:]
        for _ in 0..<Int.random(in: 1...80, using: &rng) {
            let l = BasketLine(receiptNo: Int64.random(in: 1...9, using: &rng), productCode: "p\(Int.random(in: 0..<8, using: &rng))")
            co.apply(removing: nil, adding: l)
            lines[l, default: 0] += 1
        }
        let sorted = lines.sorted { $0.key < $1.key }.map { CoOccurrenceInput(receiptNo: $0.key.receiptNo, productCode: $0.key.productCode, lines: $0.value) }
        let incremental = co.delta().pairs
        #expect(CoOccurrence.pairs(of: sorted) == incremental)
        #expect(CoOccurrence.pairs(of: sorted.shuffled(using: &rng)) == incremental)
        // The list form is in pair order, whatever the input's order, with codes of several bytes per
        // character and a code repeated within a receipt counted once.
        var mixed = sorted.shuffled(using: &rng).map { CoOccurrenceInput(receiptNo: $0.receiptNo, productCode: $0.productCode + "é", lines: $0.lines) }
        mixed += mixed.prefix(3)
        let list = CoOccurrence.sortedPairs(of: mixed)
        #expect(list.map(\.pair) == list.map(\.pair).sorted())
        #expect(Dictionary(uniqueKeysWithValues: list.map { (ProductPair(String($0.pair.a.dropLast()), String($0.pair.b.dropLast()))!, $0.receipts) }) == incremental)
    }
}

@Suite struct BasketReceiptsTests {
    /// A target reads the baskets ``AnalyticsBatch/basketReceipts(storedLines:)`` names before the
    /// fold runs: over random batches (repeated sales, unchanged lines, moves, deletes, new sales)
    /// they are exactly the baskets the fold asks for.
    @Test(arguments: 0..<12)
    func basketReceiptsAreTheBasketsTheFoldLoads(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var stored: [Int64: BasketLine] = [:]
        for id in 1...6 where Bool.random(using: &rng) {
            stored[Int64(id)] = BasketLine(receiptNo: Int64.random(in: 1...4, using: &rng), productCode: ["a", "b", "c"].randomElement(using: &rng)!)
        }
        var events: [NewEvent] = []
        for _ in 0..<Int.random(in: 1...10, using: &rng) {
            let id = Int64.random(in: 1...8, using: &rng)
            if Int.random(in: 0..<4, using: &rng) == 0 {
                events.append(try TestLog.sale(id, receipt: .integer(1), code: "a", op: .delete))
            } else if let line = stored[id], Bool.random(using: &rng) {
                // The same line with another total: no basket changes.
                events.append(try TestLog.sale(id, receipt: .integer(line.receiptNo), code: line.productCode, total: "99"))
            } else {
                events.append(try TestLog.sale(id, receipt: .integer(Int64.random(in: 1...4, using: &rng)),
                                               code: ["a", "b", "c"].randomElement(using: &rng)!))
            }
        }
        let log = TestLog()
        defer { log.remove() }
        let batch = AnalyticsBatch(events: try log.append(events))
        var loaded = Set<Int64>()
        _ = batch.coOccurrence(storedLines: stored) { (r: Int64) -> [ExactText: Int64] in
            loaded.insert(r)
            return [:]
        }
        #expect(batch.basketReceipts(storedLines: stored) == loaded, "seed \(seed)")
    }

    /// A target answers with only the stored lines that differ from each sale's first line in the
    /// batch (``AnalyticsBatch/firstLines``); ``AnalyticsBatch/storedLines(differing:maxStored:)``
    /// rebuilds exactly the stored lines of the batch's sales, over random batches and stores
    /// (sales without a stored line, deleted first, stored above and below the largest id).
    @Test(arguments: 0..<16)
    func storedLinesAreRebuiltFromTheLinesThatDiffer(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        func line() -> BasketLine {
            BasketLine(receiptNo: Int64.random(in: 1...3, using: &rng), productCode: ["a", "b"].randomElement(using: &rng)!)
        }
        var stored: [Int64: BasketLine] = [:]
        for id in 1...8 where Int.random(in: 0..<3, using: &rng) > 0 { stored[Int64(id)] = line() }
        var events: [NewEvent] = []
        for _ in 0..<Int.random(in: 1...12, using: &rng) {
            let id = Int64.random(in: 1...10, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: events.append(try TestLog.sale(id, receipt: .integer(1), code: "a", op: .delete))
            case 1 where stored[id] != nil:
                events.append(try TestLog.sale(id, receipt: .integer(stored[id]!.receiptNo), code: stored[id]!.productCode, total: "7"))
            default:
                let l = line()
                events.append(try TestLog.sale(id, receipt: .integer(l.receiptNo), code: l.productCode))
            }
        }
        let log = TestLog()
        defer { log.remove() }
        let batch = AnalyticsBatch(events: try log.append(events))
        let maxStored = stored.keys.max()
        // What the server returns: the sales at or below the largest stored id whose stored line differs.
        var differing: [Int64: BasketLine?] = [:]
        for (id, first) in batch.firstLines where maxStored.map({ id <= $0 }) ?? false && stored[id] != first {
            differing[id] = .some(stored[id])
        }
        let expected = stored.filter { batch.saleIDs.contains($0.key) }
        #expect(batch.storedLines(differing: differing, maxStored: maxStored) == expected, "seed \(seed)")
        // The first line of each sale, as a brute-force pass over the batch's sales lines finds it.
        var seen = Set<Int64>()
        let firsts = batch.salesLines.filter { seen.insert($0.saleID).inserted }
        #expect(batch.firstLines.map(\.saleID) == firsts.map(\.saleID))
        #expect(batch.firstLines.map(\.line) == firsts.map(\.line))
        #expect(batch.saleIDs == firsts.map(\.saleID))
    }

    @Test func anUnchangedLineTouchesNoBasket() throws {
        let log = TestLog()
        defer { log.remove() }
        let batch = AnalyticsBatch(events: try log.append([
            try TestLog.sale(1, receipt: .integer(10), code: "a", total: "20"),   // stored as (10, a): unchanged
            try TestLog.sale(2, receipt: .integer(11), code: "b"),                // moved from receipt 12
            try TestLog.sale(3, receipt: .integer(13), code: "c", op: .delete),   // deleted from receipt 13
            try TestLog.sale(4, receipt: .integer(14), code: "d"),                // new
        ]))
        let stored: [Int64: BasketLine] = [1: BasketLine(receiptNo: 10, productCode: "a"), 2: BasketLine(receiptNo: 12, productCode: "b"),
                      3: BasketLine(receiptNo: 13, productCode: "c")]
        #expect(batch.basketReceipts(storedLines: stored) == [11, 12, 13, 14])
    }
}
