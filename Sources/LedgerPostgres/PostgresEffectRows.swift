import LedgerLog
import LedgerProjection

/// A batch's row effects grouped for its statements: per table, the upserted rows as array columns
/// in key order (so the server need not sort them), their bindings made, and the deleted keys. A
/// target builds them for the next batch on the thread that read it
/// (``PostgresAnalyticsTarget/prepare(_:)``), so a batch's first statement leaves at once. Pure.
struct PostgresEffectRows: Sendable {
    private(set) var upserts: [String: PostgresArrayColumns] = [:]
    private(set) var textDeletes: [String: [String]] = [:]
    private(set) var bigintDeletes: [String: [Int64]] = [:]

    init(_ effects: [AnalyticsChange]) {
        var rows: [String: (table: AnalyticsTable, rows: [[AnalyticsValue]])] = [:]
        for change in effects {
            switch change {
            case .upsert(let table, let values):
                rows[table.name, default: (table, [])].rows.append(values)
            case .delete(let table, .bigint(let key)):
                bigintDeletes[table.name, default: []].append(key)
            case .delete(let table, .text(let key)):
                textDeletes[table.name, default: []].append(key)
            case .delete, .ignore, .poison:
                continue
            }
        }
        for (name, (table, values)) in rows {
            var columns = PostgresArrayColumns(kinds: table.allColumns.map(\.kind))
            for v in values.sorted(by: { AnalyticsValue.keyPrecedes($0[0], $1[0]) }) { columns.append(v) }
            columns.encodeBindings()
            upserts[name] = columns
        }
    }
}
