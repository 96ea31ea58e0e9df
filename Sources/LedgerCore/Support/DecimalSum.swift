public import LedgerLog

/// An exact sum of decimals, for totals that must be right to the cent (never a `Double`).
///
/// Holds the sum as a 128-bit integer scaled by the largest number of fraction digits seen so far:
/// enough for 38 significant digits.
public struct DecimalSum: Sendable, Hashable {
    private var units: Int128 = 0
    private var scale = 0
    /// Set when the sum no longer fits; ``text`` then says so.
    public private(set) var overflowed = false

    public init() {}

    public mutating func add(_ d: LedgerDecimal) {
        guard !overflowed else { return }
        var t = Substring(d.text)
        let negative = t.first == "-"
        if negative { t = t.dropFirst() }
        let parts = t.split(separator: ".", maxSplits: 1)
        let fraction = parts.count > 1 ? parts[1] : ""
        guard let whole = Int128(parts[0]), let frac = fraction.isEmpty ? 0 : Int128(fraction) else { overflowed = true; return }
        if fraction.count > scale {
            guard rescale(to: fraction.count) else { return }
        }
        guard let p = Self.pow10(scale), let q = Self.pow10(scale - fraction.count) else { overflowed = true; return }
        let (w, o1) = whole.multipliedReportingOverflow(by: p)
        let (f, o2) = frac.multipliedReportingOverflow(by: q)
        let (v, o3) = w.addingReportingOverflow(f)
        let (s, o4) = units.addingReportingOverflow(negative ? -v : v)
        guard !(o1 || o2 || o3 || o4) else { overflowed = true; return }
        units = s
    }

    private mutating func rescale(to newScale: Int) -> Bool {
        guard let p = Self.pow10(newScale - scale) else { overflowed = true; return false }
        let (u, o) = units.multipliedReportingOverflow(by: p)
        guard !o else { overflowed = true; return false }
        units = u
        scale = newScale
        return true
    }

    private static func pow10(_ n: Int) -> Int128? {
        guard n >= 0, n <= 38 else { return nil }
        var r: Int128 = 1
        for _ in 0..<n { r *= 10 }
        return r
    }

    /// The sum as decimal text with its full scale (`1234.50`), or `overflow`.
    public var text: String {
        guard !overflowed else { return "overflow" }
        let negative = units < 0
        var digits = String(negative ? -units : units)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return (negative ? "-" : "") + digits
    }

    /// The sum as a canonical ``LedgerDecimal`` (nil after an overflow).
    public var decimal: LedgerDecimal? { overflowed ? nil : LedgerDecimal(text) }
}
