import LedgerLog
import LedgerProjection

/// A co-occurrence delta's pair changes as the array columns of the `also_bought` statement, in
/// key order (text by UTF-8 bytes, as the "C" collation) so the server need not sort them, with their
/// bindings made. Pure.
enum PostgresCoOccurrenceRows {
    /// Product a, product b and the change in receipts.
    static func pairs(_ pairs: [ProductPair: Int64]) -> PostgresArrayColumns {
        var rows = PostgresArrayColumns(kinds: [.text, .text, .bigint])
        for (pair, n) in CoOccurrence.sorted(pairs) { rows.append(.text(pair.a), .text(pair.b), .bigint(n)) }
        rows.encodeBindings()
        return rows
    }
}
