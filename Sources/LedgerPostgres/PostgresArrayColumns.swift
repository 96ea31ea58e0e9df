import LedgerLog
public import LedgerProjection
import NIOCore
public import PostgresNIO

/// Rows as one binary Postgres array per column, for
/// `SELECT * FROM unnest($1::bigint[], $2::text[], ...)`: a batch's rows in one statement, without a
/// staging table, and without the server parsing every value from text. Pure.
public struct PostgresArrayColumns: Sendable {
    private let kinds: [AnalyticsColumn.Kind]
    /// Per column, its elements in the wire format: a 32-bit length (-1 for NULL), then the bytes.
    private var elements: [ByteBuffer]
    private var hasNulls: [Bool]
    public private(set) var rows = 0

    public init(kinds: [AnalyticsColumn.Kind]) {
        self.kinds = kinds
        elements = Array(repeating: ByteBuffer(), count: kinds.count)
        hasNulls = Array(repeating: false, count: kinds.count)
    }

    /// Appends one row: one value per column, each null or of its column's kind (as
    /// ``AnalyticsChange`` validates every row before it is written).
    public mutating func append(_ values: [AnalyticsValue]) {
        precondition(values.count == kinds.count, "a row needs one value per column")
        for (i, v) in values.enumerated() {
            switch (v, kinds[i]) {
            case (.null, _):
                elements[i].writeInteger(Int32(-1))
                hasNulls[i] = true
            case (.bigint(let n), .bigint):
                elements[i].writeInteger(Int32(8))
                elements[i].writeInteger(n)
            case (.text(let s), .text):
                elements[i].writeInteger(Int32(s.utf8.count))
                elements[i].writeString(s)
            case (.numeric(let d), .numeric):
                Self.writeNumeric(d.text, into: &elements[i])
            case (.timestamp(let t), .timestamp):
                elements[i].writeInteger(Int32(8))
                elements[i].writeInteger(t.microseconds - Self.postgresEpochMicroseconds)
            default:
                preconditionFailure("a \(v) in a \(kinds[i].postgresType) column")
            }
        }
        rows += 1
    }

    /// One binary array per column, in column order: the statement's `$1`, `$2`, ...
    public var bindings: PostgresBindings {
        var binds = PostgresBindings(capacity: kinds.count)
        for i in kinds.indices {
            binds.append(BinaryArray(kind: kinds[i], count: rows, hasNulls: hasNulls[i], elements: elements[i]))
        }
        return binds
    }

    /// 2000-01-01T00:00:00Z, where Postgres counts timestamps from, in Unix microseconds.
    static let postgresEpochMicroseconds: Int64 = 946_684_800_000_000

    /// `numeric` on the wire: digit count, weight, sign and display scale, then base-10000 digits,
    /// most significant first, without leading or trailing zero digits. `text` is canonical
    /// (``LedgerDecimal/text``), so its fraction digits are the scale `numeric_in` would keep.
    static func writeNumeric(_ text: String, into out: inout ByteBuffer) {
        var negative = false
        var integer: [UInt8] = []
        var fraction: [UInt8] = []
        var inFraction = false
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: "."): inFraction = true
            default:
                if inFraction { fraction.append(c &- 48) } else { integer.append(c &- 48) }
            }
        }
        var digits: [Int16] = []
        let lead = (4 - integer.count % 4) % 4
        var group = 0, n = lead
        for d in integer {
            group = group * 10 + Int(d)
            n += 1
            if n == 4 { digits.append(Int16(group)); group = 0; n = 0 }
        }
        var weight = digits.count - 1
        for d in fraction {
            group = group * 10 + Int(d)
            n += 1
            if n == 4 { digits.append(Int16(group)); group = 0; n = 0 }
        }
        if n > 0 {
            for _ in n..<4 { group *= 10 }
            digits.append(Int16(group))
        }
        var first = 0
        while first < digits.count && digits[first] == 0 { first += 1; weight -= 1 }
        var last = digits.count
        while last > first && digits[last - 1] == 0 { last -= 1 }
        if first == last { weight = 0 }
        out.writeInteger(Int32(8 + 2 * (last - first)))
        out.writeInteger(Int16(last - first))
        out.writeInteger(Int16(weight))
        out.writeInteger(UInt16(negative && first < last ? 0x4000 : 0))
        out.writeInteger(Int16(fraction.count))
        for d in digits[first..<last] { out.writeInteger(d) }
    }

    /// A one-dimensional array in Postgres's binary format.
    struct BinaryArray: PostgresDynamicTypeEncodable {
        let kind: AnalyticsColumn.Kind
        let count: Int
        let hasNulls: Bool
        let elements: ByteBuffer

        /// The oids of the array type and of its elements' type.
        private var oids: (array: UInt32, element: UInt32) {
            switch kind {
            case .bigint: (1016, 20)
            case .text: (1009, 25)
            case .numeric: (1231, 1700)
            case .timestamp: (1185, 1184)
            }
        }

        var psqlType: PostgresDataType { PostgresDataType(oids.array) }

        var psqlFormat: PostgresFormat { .binary }

        func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
            buffer.writeInteger(Int32(count == 0 ? 0 : 1))
            buffer.writeInteger(Int32(hasNulls ? 1 : 0))
            buffer.writeInteger(oids.element)
            if count > 0 {
                buffer.writeInteger(Int32(count))
                buffer.writeInteger(Int32(1))
            }
            var e = elements
            buffer.writeBuffer(&e)
        }
    }
}
