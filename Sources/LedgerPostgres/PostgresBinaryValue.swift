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
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: maximumSize(of: value)) { write(value, at: $0.baseAddress!) }
    }

    /// At least the bytes ``write(_:at:)`` writes for `value`.
    static func maximumSize(of value: AnalyticsValue) -> Int {
        switch value {
        case .null: 4
        case .bigint, .timestamp: 12
        case .text(let s): 4 + s.utf8.count
        // Per four digits at most one base-10000 digit, plus one for each end's partial group.
        case .numeric(let d): 12 + 2 * (d.text.utf8.count / 4 + 2)
        }
    }

    /// Writes `value` with its length at `p`, which has room for ``maximumSize(of:)``; returns the bytes written.
    static func write(_ value: AnalyticsValue, at p: UnsafeMutableRawPointer) -> Int {
        switch value {
        case .null:
            p.storeBytes(of: Int32(-1).bigEndian, as: Int32.self)
            return 4
        case .bigint(let n):
            p.storeBytes(of: Int32(8).bigEndian, as: Int32.self)
            p.storeBytes(of: n.bigEndian, toByteOffset: 4, as: Int64.self)
            return 12
        case .timestamp(let t):
            p.storeBytes(of: Int32(8).bigEndian, as: Int32.self)
            p.storeBytes(of: (t.microseconds - postgresEpochMicroseconds).bigEndian, toByteOffset: 4, as: Int64.self)
            return 12
        case .text(var s):
            return s.withUTF8 { u in
                p.storeBytes(of: Int32(u.count).bigEndian, as: Int32.self)
                if let b = u.baseAddress { (p + 4).copyMemory(from: b, byteCount: u.count) }
                return 4 + u.count
            }
        case .numeric(let d):
            return writeNumeric(d.text, at: p)
        }
    }

    /// The place value of each digit within a base-10000 digit, most significant first.
    private static let placeValues: [Int16] = [1000, 100, 10, 1]

    /// `numeric` on the wire: digit count, weight, sign and display scale, then base-10000 digits,
    /// most significant first, without leading or trailing zero digits. `text` is canonical
    /// (``LedgerDecimal/text``), so its fraction digits are the scale `numeric_in` would keep.
    static func writeNumeric(_ text: String, at p: UnsafeMutableRawPointer) -> Int {
        var text = text
        return text.withUTF8 { u in
            let negative = u.first == UInt8(ascii: "-")
            let start = negative ? 1 : 0
            let point = u[start...].firstIndex(of: UInt8(ascii: ".")) ?? u.count
            let integerDigits = point - start
            let fractionDigits = point < u.count ? u.count - point - 1 : 0
            // The integer digits are padded on the left to whole groups of four, the fraction's on the right.
            let lead = (4 - integerDigits % 4) % 4
            let integerGroups = (integerDigits + lead) / 4
            let groups = integerGroups + (fractionDigits + 3) / 4
            return withUnsafeTemporaryAllocation(of: Int16.self, capacity: max(groups, 1)) { g in
                g.initialize(repeating: 0)
                // Digit `at` of the padded digits adds its place value to group `at / 4`.
                for (at, i) in zip(lead..., start..<point) {
                    g[at / 4] += Int16(u[i] &- 48) * placeValues[at % 4]
                }
                if fractionDigits > 0 {
                    for (at, i) in zip(0..., point + 1..<u.count) {
                        g[integerGroups + at / 4] += Int16(u[i] &- 48) * placeValues[at % 4]
                    }
                }
                var first = 0, last = groups
                while first < last && g[first] == 0 { first += 1 }
                while last > first && g[last - 1] == 0 { last -= 1 }
                let weight = first == last ? 0 : integerGroups - 1 - first
                let n = last - first
                p.storeBytes(of: Int32(8 + 2 * n).bigEndian, as: Int32.self)
                p.storeBytes(of: Int16(n).bigEndian, toByteOffset: 4, as: Int16.self)
                p.storeBytes(of: Int16(weight).bigEndian, toByteOffset: 6, as: Int16.self)
                p.storeBytes(of: UInt16(negative && n > 0 ? 0x4000 : 0).bigEndian, toByteOffset: 8, as: UInt16.self)
                p.storeBytes(of: Int16(fractionDigits).bigEndian, toByteOffset: 10, as: Int16.self)
                for k in 0..<n { p.storeBytes(of: g[first + k].bigEndian, toByteOffset: 12 + 2 * k, as: Int16.self) }
                return 12 + 2 * n
            }
        }
    }
}
