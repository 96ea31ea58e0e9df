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

    /// Continues after `bytes` (rows already encoded); ``rows`` counts only the rows appended here.
    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Hands the bytes over, leaving this empty.
    mutating func takeBytes() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

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
        case .bigint(let i): bytes += i.description.utf8
        case .text(let s): appendEscaped(s)
        case .numeric(let d): bytes += d.text.utf8
        case .timestamp(let t): appendTimestamp(t)
        }
    }

    /// Appends `t` as `YYYY-MM-DD HH:MM:SS.ffffff+00` (the representable range has 4-digit years).
    mutating func appendTimestamp(_ t: Timestamp) {
        guard t.isRepresentable else {
            bytes += t.iso8601.utf8
            return
        }
        let perDay: Int64 = 86_400_000_000
        var (days, rem) = t.microseconds.quotientAndRemainder(dividingBy: perDay)
        if rem < 0 { days -= 1; rem += perDay }
        let (y, m, d) = Timestamp.civil(fromDays: days)
        let secs = rem / 1_000_000, frac = rem % 1_000_000
        digits(y, 4); bytes.append(0x2D); digits(m, 2); bytes.append(0x2D); digits(d, 2); bytes.append(0x20)
        digits(secs / 3600, 2); bytes.append(0x3A); digits(secs / 60 % 60, 2); bytes.append(0x3A); digits(secs % 60, 2)
        bytes.append(0x2E); digits(frac, 6)
        bytes += [0x2B, 0x30, 0x30]
    }

    /// Appends the `width` low decimal digits of non-negative `v`, zero-padded.
    private mutating func digits(_ v: Int64, _ width: Int) {
        var v = v
        let start = bytes.count
        for _ in 0..<width { bytes.append(0x30) }
        var i = start + width - 1
        while v > 0 && i >= start {
            bytes[i] = 0x30 + UInt8(v % 10)
            v /= 10
            i -= 1
        }
    }

    /// Appends a text column escaped for COPY.
    mutating func appendEscaped(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
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
