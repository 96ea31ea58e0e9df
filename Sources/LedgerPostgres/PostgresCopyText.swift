import LedgerLog
public import LedgerProjection

/// Rows in the text format of `COPY ... FROM STDIN`: columns separated by tabs, rows ended by a
/// newline, NULL as `\N`, and backslash, tab, newline and carriage return escaped.
public struct PostgresCopyText: Sendable {
    /// The encoded rows so far.
    public private(set) var bytes: [UInt8] = []
    /// Rows written so far.
    public private(set) var rows = 0

    public init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Appends one row.
    public mutating func append(_ values: [AnalyticsValue]) {
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(0x09) }
            append(v)
        }
        bytes.append(0x0A)
        rows += 1
    }

    /// Appends one column value (the caller writes the separators through ``append(_:)-([AnalyticsValue])``).
    mutating func append(_ value: AnalyticsValue) {
        switch value {
        case .null: bytes += [0x5C, 0x4E]
        case .bigint(let i): i.withDecimalDigits { bytes.append(contentsOf: $0) }
        case .text(let s): appendEscaped(s)
        case .numeric(let d): bytes += d.text.utf8
        case .timestamp(let t): appendTimestamp(t)
        }
    }

    /// Appends `t` in its canonical ISO-8601 UTC text, which Postgres reads as a timestamptz.
    mutating func appendTimestamp(_ t: Timestamp) {
        t.withISO8601Bytes { bytes.append(contentsOf: $0) }
    }

    /// Appends a text column escaped for COPY; text with nothing to escape is copied whole.
    mutating func appendEscaped(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            var plain = true
            for b in utf8 where b == 0x5C || b == 0x09 || b == 0x0A || b == 0x0D {
                plain = false
                break
            }
            if plain {
                bytes.append(contentsOf: utf8)
                return
            }
            for b in utf8 {
                switch b {
                case 0x5C: bytes += [0x5C, 0x5C]
                case 0x09: bytes += [0x5C, 0x74]
                case 0x0A: bytes += [0x5C, 0x6E]
                case 0x0D: bytes += [0x5C, 0x72]
                default: bytes.append(b)
                }
            }
        }
    }

    /// Removes every row, keeping the capacity.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        rows = 0
    }

    /// Appends the rows of `other`.
    public mutating func append(contentsOf other: PostgresCopyText) {
        bytes += other.bytes
        rows += other.rows
    }
}
