/// An exact decimal number held in its canonical text form (log-format/SPEC.md §3.1).
///
/// Money is never a `Double`: every decimal is parsed from text and written back as text, digit for
/// digit, with at most ``maxSignificantDigits`` significant digits.
public struct LedgerDecimal: Sendable, Hashable, CustomStringConvertible, Comparable {
    public static let maxSignificantDigits = 38

    /// The canonical text: `-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?`, never `-0`.
    public let text: String

    public var description: String { text }

    /// Parses decimal text: an optional sign, digits with an optional fraction, an optional
    /// exponent (`1.25e3`). Returns nil for anything else, or for more than 38 significant digits.
    public init?(_ input: some StringProtocol) {
        var negative = false
        var digits: [UInt8] = []      // all mantissa digits, leading zeros stripped later
        var pointIndex: Int? = nil     // digits before the point
        var exponent = 0
        var u = Array(input.utf8)[...]
        guard !u.isEmpty else { return nil }
        if u.first == UInt8(ascii: "-") { negative = true; u = u.dropFirst() }
        else if u.first == UInt8(ascii: "+") { u = u.dropFirst() }
        var sawDigit = false
        while let c = u.first {
            if c >= 0x30 && c <= 0x39 { digits.append(c - 0x30); sawDigit = true }
            else if c == UInt8(ascii: "."), pointIndex == nil { pointIndex = digits.count }
            else { break }
            u = u.dropFirst()
        }
        guard sawDigit else { return nil }
        if let c = u.first, c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            u = u.dropFirst()
            var expNegative = false
            if u.first == UInt8(ascii: "-") { expNegative = true; u = u.dropFirst() }
            else if u.first == UInt8(ascii: "+") { u = u.dropFirst() }
            guard !u.isEmpty, u.count <= 6 else { return nil }
            var e = 0
            for c in u {
                guard c >= 0x30 && c <= 0x39 else { return nil }
                e = e * 10 + Int(c - 0x30)
            }
            exponent = expNegative ? -e : e
            u = u[u.endIndex...]
        }
        guard u.isEmpty else { return nil }
        // value = digits × 10^(exponent − fractionDigits)
        let fractionDigits = digits.count - (pointIndex ?? digits.count)
        var scale = fractionDigits - exponent   // digits after the point; negative = trailing zeros
        guard let first = digits.firstIndex(where: { $0 != 0 }) else { self.text = "0"; return }
        var mantissa = Array(digits[first...])
        while scale > 0, mantissa.last == 0 { mantissa.removeLast(); scale -= 1 }
        var significant = mantissa.count
        while significant > 1, mantissa[significant - 1] == 0 { significant -= 1 }
        guard significant <= Self.maxSignificantDigits,
              scale <= 2 * Self.maxSignificantDigits, mantissa.count - scale <= 2 * Self.maxSignificantDigits
        else { return nil }
        if scale < 0 {
            mantissa.append(contentsOf: repeatElement(0, count: -scale))
            scale = 0
        }
        var out: [UInt8] = []
        out.reserveCapacity(mantissa.count + 3)
        if negative { out.append(UInt8(ascii: "-")) }
        if scale >= mantissa.count {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: scale - mantissa.count))
            out.append(contentsOf: mantissa.map { $0 + 0x30 })
        } else {
            let intCount = mantissa.count - scale
            out.append(contentsOf: mantissa[..<intCount].map { $0 + 0x30 })
            if scale > 0 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: mantissa[intCount...].map { $0 + 0x30 })
            }
        }
        self.text = String(decoding: out, as: UTF8.self)
    }

    /// Wraps text already known to be canonical; returns nil if it is not.
    public init?(canonical text: String) {
        if Self.isShortCanonical(text) {
            self.text = text
            return
        }
        guard let d = LedgerDecimal(text), d.text == text else { return nil }
        self = d
    }

    /// Whether `text` is canonical with at most 38 digits in all: one pass over the bytes, no
    /// parsing (what reading the log needs for every decimal). Longer text takes the full parse.
    static func isShortCanonical(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { b in
            let n = b.count
            var i = 0
            let negative = n > 0 && b[0] == UInt8(ascii: "-")
            if negative { i = 1 }
            func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
            guard i < n, isDigit(b[i]) else { return false }
            var digits = 0
            if b[i] == 0x30 {
                i += 1
                digits = 1
                if i < n && isDigit(b[i]) { return false }   // a leading zero
                if i == n && negative { return false }       // -0
            } else {
                while i < n && isDigit(b[i]) { i += 1; digits += 1 }
            }
            if i < n {
                guard b[i] == UInt8(ascii: "."), i + 1 < n, b[n - 1] != 0x30 else { return false }
                i += 1
                while i < n && isDigit(b[i]) { i += 1; digits += 1 }
                guard i == n else { return false }
            }
            return digits <= Self.maxSignificantDigits
        }
    }

    public init(_ value: Int) {
        self.text = String(value)
    }

    public var isNegative: Bool { text.utf8.first == UInt8(ascii: "-") }

    public static func < (a: LedgerDecimal, b: LedgerDecimal) -> Bool {
        if a.isNegative != b.isNegative { return a.isNegative }
        let (ai, af) = a.parts, (bi, bf) = b.parts
        let magnitudeLess: Bool
        if ai.count != bi.count { magnitudeLess = ai.count < bi.count }
        else if ai != bi { magnitudeLess = ai.lexicographicallyPrecedes(bi) }
        else { magnitudeLess = af.lexicographicallyPrecedes(bf) }
        let equal = ai == bi && af == bf
        return a.isNegative ? (!magnitudeLess && !equal) : magnitudeLess
    }

    private var parts: ([UInt8], [UInt8]) {
        var u = Array(text.utf8)
        if u.first == UInt8(ascii: "-") { u.removeFirst() }
        if let dot = u.firstIndex(of: UInt8(ascii: ".")) { return (Array(u[..<dot]), Array(u[(dot + 1)...])) }
        return (u, [])
    }
}
