import LedgerLog
import LedgerProjection
import NIOCore

/// Values in Postgres's binary wire format, as a binary array's elements and binary COPY's fields
/// both carry them: a 32-bit length (-1 for NULL), then the bytes. Pure.
enum PostgresBinaryValue {
    /// 2000-01-01T00:00:00Z, where Postgres counts timestamps from, in Unix microseconds.
    static let postgresEpochMicroseconds: Int64 = 946_684_800_000_000

    /// Writes `value` with its length: `bigint` as int8, `text` as UTF-8, `numeric` as numeric,
    /// `timestamp` as timestamptz.
    static func write(_ value: AnalyticsValue, into out: inout ByteBuffer) {
        switch value {
        case .null:
            out.writeInteger(Int32(-1))
        case .bigint(let n):
            out.writeInteger(Int32(8))
            out.writeInteger(n)
        case .text(let s):
            out.writeInteger(Int32(s.utf8.count))
            out.writeString(s)
        case .numeric(let d):
            writeNumeric(d.text, into: &out)
        case .timestamp(let t):
            out.writeInteger(Int32(8))
            out.writeInteger(t.microseconds - postgresEpochMicroseconds)
        }
    }

    /// `numeric` on the wire: digit count, weight, sign and display scale, then base-10000 digits,
    /// most significant first, without leading or trailing zero digits. `text` is canonical
    /// (``LedgerDecimal/text``), so its fraction digits are the scale `numeric_in` would keep.
    static func writeNumeric(_ text: String, into out: inout ByteBuffer) {
        var text = text
        text.withUTF8 { u in
            let negative = u.first == UInt8(ascii: "-")
            let start = negative ? 1 : 0
            let point = u[start...].firstIndex(of: UInt8(ascii: ".")) ?? u.count
            let integerDigits = point - start
            let fractionDigits = point < u.count ? u.count - point - 1 : 0
            // The integer digits are padded on the left to whole groups of four, the fraction's on the right.
            let lead = (4 - integerDigits % 4) % 4
            let integerGroups = (integerDigits + lead) / 4
            let groups = integerGroups + (fractionDigits + 3) / 4
            withUnsafeTemporaryAllocation(of: Int16.self, capacity: max(groups, 1)) { g in
                g.initialize(repeating: 0)
                let scale: [Int16] = [1000, 100, 10, 1]
                for (p, i) in (start..<point).enumerated() {
                    g[(p + lead) / 4] += Int16(u[i] &- 48) * scale[(p + lead) % 4]
                }
                if fractionDigits > 0 {
                    for (p, i) in (point + 1..<u.count).enumerated() {
                        g[integerGroups + p / 4] += Int16(u[i] &- 48) * scale[p % 4]
                    }
                }
                var first = 0, last = groups
                while first < last && g[first] == 0 { first += 1 }
                while last > first && g[last - 1] == 0 { last -= 1 }
                let weight = first == last ? 0 : integerGroups - 1 - first
                out.writeInteger(Int32(8 + 2 * (last - first)))
                out.writeInteger(Int16(last - first))
                out.writeInteger(Int16(weight))
                out.writeInteger(UInt16(negative && first < last ? 0x4000 : 0))
                out.writeInteger(Int16(fractionDigits))
                for k in first..<last { out.writeInteger(g[k]) }
            }
        }
    }
}
