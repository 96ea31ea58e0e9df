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
    private var before: [Int64: [String: Int64]] = [:]
    /// Per receipt: product code → live lines, after the changes applied so far.
    private var after: [Int64: [String: Int64]] = [:]

    public init() {}

    /// Whether the basket of `receiptNo` is loaded (or was touched, counting as empty).
    public func isLoaded(_ receiptNo: Int64) -> Bool { after[receiptNo] != nil }

    /// The receipts loaded so far.
    public var receipts: Dictionary<Int64, [String: Int64]>.Keys { after.keys }

    /// Records the stored basket of `receiptNo` (product code → lines) before any change to it.
    public mutating func load(receiptNo: Int64, lines: [String: Int64]) {
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
            if let n = after[old.receiptNo]?[old.productCode], n > 0 {
                after[old.receiptNo]![old.productCode] = n > 1 ? n - 1 : nil
            }
        }
        if let new {
            if after[new.receiptNo] == nil { load(receiptNo: new.receiptNo, lines: [:]) }
            after[new.receiptNo]![new.productCode, default: 0] += 1
        }
    }

    /// The current basket of `receiptNo` (product code → lines).
    public func basket(_ receiptNo: Int64) -> [String: Int64] { after[receiptNo] ?? [:] }

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
                    kept.append(code)
                    if m != n { d.lines[BasketLine(receiptNo: receipt, productCode: code)] = m }
                } else {
                    removed.append(code)
                    d.lines[BasketLine(receiptNo: receipt, productCode: code)] = 0
                }
            }
            for (code, m) in now where was[code] == nil {
                added.append(code)
                d.lines[BasketLine(receiptNo: receipt, productCode: code)] = m
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
    public static func pairs<S: Sequence>(of baskets: S) -> [ProductPair: Int64] where S.Element == Set<String> {
        var pairs: [ProductPair: Int64] = [:]
        for basket in baskets where basket.count > 1 {
            let codes = basket.sorted { $0.utf8Precedes($1) }
            for i in codes.indices {
                for j in (i + 1)..<codes.count { pairs[ProductPair(codes[i], codes[j])!, default: 0] += 1 }
            }
        }
        return pairs
    }

    /// Every pair's count from the co-occurrence inputs, from scratch: each receipt's distinct
    /// codes (with live lines) counted once per pair. Inputs ordered by receipt are grouped as
    /// they come; others are grouped in a dictionary first.
    public static func pairs(of inputs: [CoOccurrenceInput]) -> [ProductPair: Int64] {
        var pairs: [ProductPair: Int64] = [:]
        pairs.reserveCapacity(inputs.count)
        let live = inputs.filter { $0.lines > 0 }
        if zip(live, live.dropFirst()).allSatisfy({ $0.receiptNo <= $1.receiptNo }) {
            var i = live.startIndex
            while i < live.endIndex {
                var j = i + 1
                while j < live.endIndex && live[j].receiptNo == live[i].receiptNo { j += 1 }
                if j - i > 1 { count(live[i..<j].map(\.productCode), into: &pairs) }
                i = j
            }
        } else {
            var byReceipt: [Int64: [String]] = [:]
            for x in live { byReceipt[x.receiptNo, default: []].append(x.productCode) }
            for codes in byReceipt.values where codes.count > 1 { count(codes, into: &pairs) }
        }
        return pairs
    }

    private static func count(_ codes: [String], into pairs: inout [ProductPair: Int64]) {
        let distinct = Array(Set(codes))
        guard distinct.count > 1 else { return }
        for x in distinct.indices {
            for y in (x + 1)..<distinct.count { pairs[ProductPair(distinct[x], distinct[y])!, default: 0] += 1 }
        }
    }

    /// The top `n` pairs of `pairs`: count descending, then `(a, b)` ascending (as `gen_pos.py`).
    public static func top(_ n: Int, of pairs: [ProductPair: Int64]) -> [(pair: ProductPair, receipts: Int64)] {
        pairs.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(n).map { (pair: $0.key, receipts: $0.value) }
    }
}
