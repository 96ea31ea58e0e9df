import LedgerLog
public import LedgerProjection

/// Rows as one Postgres array literal per column (`{1,NULL,"a \"b\""}`), for
/// `SELECT * FROM unnest($1::bigint[], $2::text[], ...)`: a batch's rows in one statement, without a
/// staging table. Pure.
public struct PostgresArrayColumns: Sendable {
    private var columns: [[UInt8]]
    public private(set) var rows = 0

    public init(columns: Int) { self.columns = Array(repeating: [0x7B], count: columns) }

    /// Appends one row; `values.count` must equal the number of columns.
    public mutating func append(_ values: [AnalyticsValue]) {
        precondition(values.count == columns.count, "a row needs one value per column")
        for (i, v) in values.enumerated() {
            if rows > 0 { columns[i].append(0x2C) }
            Self.append(v, to: &columns[i])
        }
        rows += 1
    }

    /// The array literal of each column.
    public var literals: [String] { columns.map { String(decoding: $0 + [0x7D], as: UTF8.self) } }

    static func append(_ value: AnalyticsValue, to out: inout [UInt8]) {
        switch value {
        case .null: out += "NULL".utf8
        case .bigint(let i): out += i.description.utf8
        case .numeric(let d): out += d.text.utf8
        case .text(let s): quoted(s.utf8, to: &out)
        case .timestamp(let t): t.withISO8601Bytes { quoted($0, to: &out) }
        }
    }

    /// `"…"` with `"` and `\` escaped by a backslash.
    static func quoted<C: Collection<UInt8>>(_ bytes: C, to out: inout [UInt8]) {
        out.append(0x22)
        for b in bytes {
            if b == 0x22 || b == 0x5C { out.append(0x5C) }
            out.append(b)
        }
        out.append(0x22)
    }
}
