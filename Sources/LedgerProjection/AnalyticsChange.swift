#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import LedgerLog

/// What one log event does to the analytics tables: the pure decision a target then executes.
public enum AnalyticsChange: Sendable, Hashable {
    /// Insert or replace the row; `values` follow `table.allColumns` (business columns, then
    /// `_offset` and `_event_time`).
    case upsert(AnalyticsTable, [AnalyticsValue])
    /// Delete the row with this key.
    case delete(AnalyticsTable, AnalyticsValue)
    /// Nothing to do: checkpoints and entities this projection does not hold.
    case ignore
    /// The target cannot hold the event (a NULL key, a value of the wrong type, a number out of
    /// range); it goes to the dead letters with this reason.
    case poison(String)

    /// Decodes `event` against ``AnalyticsSchema``. Fields the table does not have are ignored;
    /// columns the event lacks are NULL.
    public static func decode(_ event: LogEvent) -> AnalyticsChange {
        guard event.op != .checkpoint, let table = AnalyticsSchema.table(forEntity: event.entity) else { return .ignore }
        switch event.op {
        case .checkpoint:
            return .ignore
        case .delete:
            switch convert(event.value(of: table.key.name) ?? .null, to: table.key) {
            case .success(.null): return .poison("NULL key \(table.key.name)")
            case .success(let key): return .delete(table, key)
            case .failure(let reason): return .poison(reason.message)
            }
        case .upsert:
            var values = [AnalyticsValue](repeating: .null, count: table.columns.count + 2)
            // The log stores fields sorted by name: one merge pass against the columns in name order.
            let fields = event.fields
            let order = table.nameOrder
            var i = 0, j = 0
            while i < fields.count && j < order.count {
                let column = table.columns[order[j]]
                let c = fields[i].name.utf8Compare(column.name)
                if c < 0 {
                    i += 1
                } else if c > 0 {
                    j += 1
                } else {
                    switch convert(fields[i].value, to: column) {
                    case .success(let v): values[order[j]] = v
                    case .failure(let reason): return .poison(reason.message)
                    }
                    i += 1
                    j += 1
                }
            }
            for (k, column) in table.columns.enumerated() where column.notNull && values[k].isNull {
                return .poison("NULL \(column.name)")
            }
            guard let offset = Int64(exactly: event.offset) else { return .poison("offset \(event.offset) out of range for bigint") }
            values[table.columns.count] = .bigint(offset)
            values[table.columns.count + 1] = .timestamp(event.time)
            return .upsert(table, values)
        }
    }

    /// Why a value does not fit its column.
    public struct Reason: Error, Sendable, Hashable {
        public var message: String
    }

    /// Converts a log value to `column`'s kind: strings without NUL to text; integers, and integral decimals in
    /// range, to bigint; decimals and integers to numeric; timestamps to timestamptz.
    /// Whether `s` holds a NUL byte; searched with `memchr` where its UTF-8 is contiguous.
    static func containsNUL(_ s: String) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { u in
            u.count > 0 && memchr(u.baseAddress!, 0, u.count) != nil
        } ?? s.utf8.contains(0)
    }

    public static func convert(_ value: FieldValue, to column: AnalyticsColumn) -> Result<AnalyticsValue, Reason> {
        if case .null = value { return .success(.null) }
        switch (column.kind, value) {
        case (.text, .string(let s)):
            // Postgres text cannot hold NUL; both targets refuse it so that they stay equal.
            guard !Self.containsNUL(s) else { return .failure(Reason(message: "\(column.name) contains a NUL character")) }
            return .success(.text(s))
        case (.bigint, .integer(let i)):
            return .success(.bigint(i))
        case (.bigint, .decimal(let d)):
            guard !d.text.contains("."), let i = Int64(d.text) else {
                return .failure(Reason(message: "\(column.name) \(d.text) is out of range for bigint"))
            }
            return .success(.bigint(i))
        case (.numeric, .decimal(let d)):
            return .success(.numeric(d))
        case (.numeric, .integer(let i)):
            return .success(.numeric(LedgerDecimal(Int(i))))
        case (.timestamp, .timestamp(let t)):
            guard t.isRepresentable else { return .failure(Reason(message: "\(column.name) is out of the timestamp range")) }
            return .success(.timestamp(t))
        default:
            return .failure(Reason(message: "\(column.name) is \(value.typeName), expected \(column.kind.postgresType)"))
        }
    }
}
