import LedgerLog
/// Incremental maintenance of "also bought": for each receipt, the set of product codes over its
/// live sales lines; a pair of distinct codes counts once per receipt holding both.
///
/// A target folds a whole batch in memory: it ``load(receiptNo:lines:)``s the stored basket of
/// every receipt the batch touches (once), ``apply(removing:adding:)``s each sales-line change
/// in log order, then writes ``delta()``. Only the difference between each basket's set of codes
/// before and after the batch reaches the pairs, so a product swap, a move to another receipt, a
/// delete and a re-add are all exact, and a line counted twice within a basket counts once.
public struct CoOccurrence: Sendable {
    /// Per receipt: product code → live lines, as stored before the batch.
    private var before: [Int64: [ExactText: Int64]] = [:]
    /// Per receipt: product code → live lines, after the changes applied so far.
    private var after: [Int64: [ExactText: Int64]] = [:]

    public init() {}

    /// Whether the basket of `receiptNo` is loaded (or was touched, counting as empty).
    public func isLoaded(_ receiptNo: Int64) -> Bool { after[receiptNo] != nil }

    /// The receipts loaded so far.
    public var receipts: Dictionary<Int64, [ExactText: Int64]>.Keys { after.keys }

    /// Records the stored basket of `receiptNo` (product code → lines) before any change to it.
    public mutating func load(receiptNo: Int64, lines: [ExactText: Int64]) {
        guard after[receiptNo] == nil else { return }
        let live = lines.filter { $0.value > 0 }
        before[receiptNo] = live
        after[receiptNo] = live
    }

    /// Applies one sales line's change: it leaves `old` (its previous receipt and code, if it was
    /// live) and joins `new` (if it is live now). A receipt never loaded counts as empty, as in a
    /// rebuild from zero. Removing a line the basket does not hold changes nothing.
    public mutating func apply(removing old: BasketLine?, adding new: BasketLine?) {
        if old == new { return }
        if let old {
            if after[old.receiptNo] == nil { load(receiptNo: old.receiptNo, lines: [:]) }
            let code = ExactText(old.productCode)
            if let n = after[old.receiptNo]?[code], n > 0 {
                after[old.receiptNo]![code] = n > 1 ? n - 1 : nil
            }
        }
        if let new {
            if after[new.receiptNo] == nil { load(receiptNo: new.receiptNo, lines: [:]) }
            after[new.receiptNo]![ExactText(new.productCode), default: 0] += 1
        }
    }

    /// The current basket of `receiptNo` (product code → lines).
    public func basket(_ receiptNo: Int64) -> [ExactText: Int64] { after[receiptNo] ?? [:] }

    /// The net changes of every basket line and pair since the baskets were loaded.
    public func delta() -> CoOccurrenceDelta {
        var d = CoOccurrenceDelta()
        for (receipt, now) in after {
            let was = before[receipt] ?? [:]
            var removed: [String] = []
            var added: [String] = []
            var kept: [String] = []
            for (code, n) in was {
                if let m = now[code] {
                    kept.append(code.text)
                    if m != n { d.lines[BasketLine(receiptNo: receipt, productCode: code.text)] = m }
                } else {
                    removed.append(code.text)
                    d.lines[BasketLine(receiptNo: receipt, productCode: code.text)] = 0
                }
            }
            for (code, m) in now where was[code] == nil {
                added.append(code.text)
                d.lines[BasketLine(receiptNo: receipt, productCode: code.text)] = m
            }
            Self.count(removed, with: kept, by: -1, into: &d.pairs)
            Self.count(added, with: kept, by: 1, into: &d.pairs)
        }
        d.pairs = d.pairs.filter { $0.value != 0 }
        return d
    }

    /// Adds `by` to every pair within `codes` and between `codes` and `others`.
    private static func count(_ codes: [String], with others: [String], by: Int64, into pairs: inout [ProductPair: Int64]) {
        guard !codes.isEmpty else { return }
        for i in codes.indices {
            for j in codes.index(after: i)..<codes.endIndex {
                if let p = ProductPair(codes[i], codes[j]) { pairs[p, default: 0] += by }
            }
            for o in others {
                if let p = ProductPair(codes[i], o) { pairs[p, default: 0] += by }
            }
        }
    }

    /// Every pair's count over `baskets` (receipt → product codes), from scratch: the reference the
    /// incremental path is tested against.
    public static func pairs<S: Sequence>(of baskets: S) -> [ProductPair: Int64] where S.Element == Set<ExactText> {
        var pairs: [ProductPair: Int64] = [:]
        for basket in baskets where basket.count > 1 {
            let codes = basket.sorted()
            for i in codes.indices {
                for j in (i + 1)..<codes.count { pairs[ProductPair(ordered: codes[i].text, codes[j].text), default: 0] += 1 }
            }
        }
        return pairs
    }

    /// Every pair's count from the co-occurrence inputs, from scratch: each receipt's distinct
    /// codes (with live lines) counted once per pair.
    public static func pairs(of inputs: [CoOccurrenceInput]) -> [ProductPair: Int64] {
        Dictionary(uniqueKeysWithValues: sortedPairs(of: inputs).lazy.map { ($0.pair, $0.receipts) })
    }

    /// `pairs` ordered by pair (`a`, then `b`, by bytes), as `also_bought`'s key orders them. The
    /// distinct codes are ranked in byte order once, and the pairs sorted as packed integers of
    /// their ranks: comparing the codes themselves in the sort took about a tenth of a live
    /// projector's CPU.
    public static func sorted(_ pairs: [ProductPair: Int64]) -> [(pair: ProductPair, receipts: Int64)] {
        let entries = Array(pairs)
        var codes = CodeRanks()
        let numbered = entries.map { (codes.number($0.key.a), codes.number($0.key.b)) }
        let rank = codes.ranked().rank
        var keys: [(key: UInt64, index: Int)] = []
        keys.reserveCapacity(entries.count)
        for (i, (a, b)) in numbered.enumerated() { keys.append((UInt64(rank[Int(a)]) << 32 | UInt64(rank[Int(b)]), i)) }
        keys.sort { $0.key < $1.key }
        return keys.map { (entries[$0.index].key, entries[$0.index].value) }
    }

    /// ``pairs(of:)`` as a list ordered by pair (`a`, then `b`, by bytes), the order a B-tree of
    /// `also_bought` is built fastest in.
    ///
    /// Codes are numbered in byte order, so a pair of numbers packed into one integer orders and
    /// counts as the pair of codes: every receipt's pairs are gathered as integers, sorted, and
    /// counted by runs, with no string hashed after the numbering. Inputs ordered by receipt are
    /// grouped as they come; others are sorted by receipt first.
    public static func sortedPairs(of inputs: [CoOccurrenceInput]) -> [(pair: ProductPair, receipts: Int64)] {
        var live = inputs.filter { $0.lines > 0 }
        if !zip(live, live.dropFirst()).allSatisfy({ $0.receiptNo <= $1.receiptNo }) { live.sort { $0.receiptNo < $1.receiptNo } }
        var codes = CodeRanks()
        let numbers = live.map { codes.number($0.productCode) }
        let (rank, code) = codes.ranked()

        var keys: [UInt64] = []
        keys.reserveCapacity(live.count * 2)
        var basket: [UInt32] = []
        var i = 0
        while i < live.count {
            var j = i + 1
            while j < live.count && live[j].receiptNo == live[i].receiptNo { j += 1 }
            if j - i > 1 {
                basket.removeAll(keepingCapacity: true)
                for k in i..<j { basket.append(rank[Int(numbers[k])]) }
                basket.sort()
                var last: UInt32? = nil
                var distinct = 0
                for r in basket where r != last {
                    basket[distinct] = r
                    distinct += 1
                    last = r
                }
                for x in 0..<distinct {
                    for y in (x + 1)..<distinct { keys.append(UInt64(basket[x]) << 32 | UInt64(basket[y])) }
                }
            }
            i = j
        }
        keys.sort()
        var out: [(pair: ProductPair, receipts: Int64)] = []
        var k = 0
        while k < keys.count {
            var m = k + 1
            while m < keys.count && keys[m] == keys[k] { m += 1 }
            out.append((ProductPair(ordered: code[Int(keys[k] >> 32)], code[Int(keys[k] & 0xFFFF_FFFF)]), Int64(m - k)))
            k = m
        }
        return out
    }

    /// The top `n` pairs of `pairs`: count descending, then `(a, b)` ascending (as `gen_pos.py`).
    public static func top(_ n: Int, of pairs: [ProductPair: Int64]) -> [(pair: ProductPair, receipts: Int64)] {
        pairs.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(n).map { (pair: $0.key, receipts: $0.value) }
    }
}

