import LedgerLog
import LedgerProjection

/// A co-occurrence delta as the array columns of its two statements, `basket_lines` and
/// `also_bought`, each in key order (text by UTF-8 bytes, as the "C" collation) so the server need
/// not sort them. Built in the task that works the delta out while the batch's rows are merged. Pure.
struct PostgresCoOccurrenceRows: Sendable {
    /// Receipt, product code and lines (0: the line goes).
    private(set) var lines = PostgresArrayColumns(kinds: [.bigint, .text, .bigint])
    /// Product a, product b and the change in receipts.
    private(set) var pairs = PostgresArrayColumns(kinds: [.text, .text, .bigint])

    init(_ delta: CoOccurrenceDelta) {
        let byKey: ((key: BasketLine, value: Int64), (key: BasketLine, value: Int64)) -> Bool = { x, y in
            x.key.receiptNo != y.key.receiptNo ? x.key.receiptNo < y.key.receiptNo : x.key.productCode.utf8Precedes(y.key.productCode)
        }
        for (line, n) in delta.lines.sorted(by: byKey) {
            lines.append([.bigint(line.receiptNo), .text(line.productCode), .bigint(n)])
        }
        for (pair, n) in delta.pairs.sorted(by: { $0.key < $1.key }) {
            pairs.append([.text(pair.a), .text(pair.b), .bigint(n)])
        }
    }
}
