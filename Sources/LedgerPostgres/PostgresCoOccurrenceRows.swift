import LedgerLog
import LedgerProjection

/// A co-occurrence delta as the array columns of its two statements, `basket_lines` and
/// `also_bought`, each in key order (text by UTF-8 bytes, as the "C" collation) so the server need
/// not sort them, with their bindings made. A batch builds each in a task of its own while its
/// writing connection runs the statement before. Pure.
enum PostgresCoOccurrenceRows {
    /// Receipt, product code and lines (0: the line goes).
    static func lines(_ lines: [BasketLine: Int64]) -> PostgresArrayColumns {
        var rows = PostgresArrayColumns(kinds: [.bigint, .text, .bigint])
        for (line, n) in lines.sorted(by: { $0.key < $1.key }) { rows.append(.bigint(line.receiptNo), .text(line.productCode), .bigint(n)) }
        rows.encodeBindings()
        return rows
    }

    /// Product a, product b and the change in receipts.
    static func pairs(_ pairs: [ProductPair: Int64]) -> PostgresArrayColumns {
        var rows = PostgresArrayColumns(kinds: [.text, .text, .bigint])
        for (pair, n) in pairs.sorted(by: { $0.key < $1.key }) { rows.append(.text(pair.a), .text(pair.b), .bigint(n)) }
        rows.encodeBindings()
        return rows
    }
}
