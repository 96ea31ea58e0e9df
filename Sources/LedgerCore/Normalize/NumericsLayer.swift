public import LedgerLog

/// The numerics layer: decimal text to an exact number, never through a `Double`.
///
/// Accepts an optional sign, digits with optional `,` thousands separators (only in groups of three:
/// `1,250.00`, not `1,2,3`), an optional fraction (`.5`, `5.` too) and an optional exponent (`1.25e3`).
/// The result is the canonical ``LedgerDecimal`` — trailing fraction zeros dropped — so `1,250.00`,
/// `1250.0` and `1.25e3` are the same value `1250`. Bounds (``FieldMapping/minimum``, ``FieldMapping/maximum``)
/// are checked here.
public enum NumericsLayer {
    /// An exact number: an integer that fits in `Int64`, or any other decimal.
    public enum Number: Sendable, Hashable {
        case integer(Int64)
        /// A number with a fraction or too large for `Int64`.
        case decimal(LedgerDecimal)

        public var decimal: LedgerDecimal {
            switch self {
            case .integer(let v): LedgerDecimal(Int(v))
            case .decimal(let d): d
            }
        }
    }

    /// A parsed number and whether its canonical text differs from the input.
    public struct Output: Sendable, Hashable {
        public var number: Number
        public var changed: Bool
    }

    /// Parses `text` and checks it against the inclusive bounds.
    public static func parse(
        _ text: String, field: String, minimum: LedgerDecimal? = nil, maximum: LedgerDecimal? = nil
    ) -> Result<Output, NormalizationFailure> {
        var s = text
        let scanned = s.withUTF8 { scan($0) }
        let out: Output
        switch scanned {
        case .success(let o): out = o
        case .failure(let problem):
            return .failure(NormalizationFailure(.numerics, field: field, reason: "\(QuotedValue.quote(text)) \(problem.rawValue)"))
        }
        if let outside = outside(out.number, minimum: minimum, maximum: maximum) {
            return .failure(NormalizationFailure(.numerics, field: field, reason: "\(QuotedValue.quote(text)) \(outside)"))
        }
        return .success(out)
    }

    /// Why `number` is outside the inclusive bounds (the reason follows the quoted value); nil
    /// when it is within them.
    @inline(__always)
    static func outside(_ number: Number, minimum: LedgerDecimal?, maximum: LedgerDecimal?) -> String? {
        guard minimum != nil || maximum != nil else { return nil }
        let d = number.decimal
        if let minimum, d < minimum { return "is below the minimum \(minimum)" }
        if let maximum, maximum < d { return "is above the maximum \(maximum)" }
        return nil
    }

    /// Why text is not a number; the reason follows the quoted value.
    enum Problem: String, Error {
        case notANumber = "is not a number"
        case grouping = "has misplaced thousands separators"
        case tooManyDigits = "has more than 38 significant digits"
        case outOfRange = "is outside the decimal range"
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    /// A number whose text is already canonical.
    enum Plain {
        /// Digits only (with a sign), at most 18 of them.
        case integer(Int64)
        /// With a fraction: the text is the canonical decimal text.
        case decimal
    }

    /// The common case of ``scan(_:)`` in one pass: text that is already canonical, `-?(0|[1-9][0-9]*)`
    /// of at most 18 digits or `-?(0|[1-9][0-9]*)\.[0-9]*[1-9]` of at most 38; nil for anything
    /// else (which ``scan(_:)`` reads, or refuses).
    @inline(__always)
    static func scanPlain(_ u: UnsafeBufferPointer<UInt8>) -> Plain? {
        let n = u.count
        var i = 0
        let negative = n > 0 && u[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        let intStart = i
        var v: Int64 = 0
        while i < n, isDigit(u[i]), i - intStart < 18 {
            v = v &* 10 &+ Int64(u[i] &- 0x30)
            i += 1
        }
        let intDigits = i - intStart
        guard intDigits > 0, intDigits == 1 || u[intStart] != 0x30 else { return nil }
        if i == n { return negative && v == 0 ? nil : .integer(negative ? -v : v) }
        guard u[i] == UInt8(ascii: "."), n - intStart <= 39, u[n - 1] != 0x30 else { return nil }
        i += 1
        guard i < n else { return nil }
        while i < n {
            guard isDigit(u[i]) else { return nil }
            i += 1
        }
        return .decimal
    }

    static func scan(_ u: UnsafeBufferPointer<UInt8>) -> Result<Output, Problem> {
        var n = u.count
        var i = 0
        while i < n, u[i] == 0x20 { i += 1 }
        while n > i, u[n - 1] == 0x20 { n -= 1 }
        // Plain text (no spaces, "+", "," or exponent) is canonical exactly when canonicalizing does not shorten it.
        var plain = i == 0 && n == u.count
        var negative = false
        if i < n, u[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if i < n, u[i] == UInt8(ascii: "+") { plain = false; i += 1 }
        let digitsStart = i
        var count = 0, firstNonZero = -1, lastNonZero = -1
        var group = 0, sawComma = false, intDigits = 0, fracDigits = 0
        while i < n {
            let c = u[i]
            if isDigit(c) {
                if c != 0x30 { if firstNonZero < 0 { firstNonZero = count }; lastNonZero = count }
                count += 1
                group += 1
                intDigits += 1
            } else if c == UInt8(ascii: ",") {
                if group == 0 || (sawComma ? group != 3 : group > 3) { return .failure(.grouping) }
                sawComma = true
                plain = false
                group = 0
            } else {
                break
            }
            i += 1
        }
        if sawComma && group != 3 { return .failure(.grouping) }
        if i < n, u[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, isDigit(u[i]) {
                if u[i] != 0x30 { if firstNonZero < 0 { firstNonZero = count }; lastNonZero = count }
                count += 1
                fracDigits += 1
                i += 1
            }
        }
        guard count > 0 else { return .failure(.notANumber) }
        var exponent = 0
        if i < n, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i += 1
            plain = false
            var expNegative = false
            if i < n, u[i] == UInt8(ascii: "-") { expNegative = true; i += 1 } else if i < n, u[i] == UInt8(ascii: "+") { i += 1 }
            let expStart = i
            while i < n, isDigit(u[i]) {
                if i - expStart >= 6 { return .failure(.outOfRange) }
                exponent = exponent * 10 + Int(u[i] - 0x30)
                i += 1
            }
            guard i > expStart else { return .failure(.notANumber) }
            if expNegative { exponent = -exponent }
        }
        guard i == n else { return .failure(.notANumber) }

        // Canonical text: the digits firstNonZero...lastNonZero times 10^e10.
        let inputLength = u.count
        guard firstNonZero >= 0 else {
            return .success(Output(number: .integer(0), changed: !(plain && inputLength == 1)))
        }
        let significant = lastNonZero - firstNonZero + 1
        guard significant <= LedgerDecimal.maxSignificantDigits else { return .failure(.tooManyDigits) }
        let e10 = exponent - fracDigits + (count - 1 - lastNonZero)
        guard -e10 <= 2 * LedgerDecimal.maxSignificantDigits, significant + e10 <= 2 * LedgerDecimal.maxSignificantDigits
        else { return .failure(.outOfRange) }

        if e10 >= 0 && significant + e10 <= 18 {
            var v: Int64 = 0
            forEachSignificantDigit(u, from: digitsStart, first: firstNonZero, last: lastNonZero) { v = v * 10 + Int64($0) }
            for _ in 0..<e10 { v *= 10 }
            if negative { v = -v }
            let length = (negative ? 1 : 0) + significant + e10
            let changed = !plain || length != inputLength
            return .success(Output(number: .integer(v), changed: changed))
        }
        let scale = max(0, -e10)
        let length = (negative ? 1 : 0)
            + (e10 >= 0 ? significant + e10 : (scale >= significant ? 2 + scale : significant + 1))
        let text = String(unsafeUninitializedCapacity: length) { out in
            var o = 0
            if negative { out[o] = UInt8(ascii: "-"); o += 1 }
            if e10 < 0 && scale >= significant {
                out[o] = 0x30; out[o + 1] = UInt8(ascii: "."); o += 2
                for _ in 0..<(scale - significant) { out[o] = 0x30; o += 1 }
            }
            let pointAfter = e10 < 0 && scale < significant ? significant - scale : -1
            var k = 0
            forEachSignificantDigit(u, from: digitsStart, first: firstNonZero, last: lastNonZero) { d in
                if k == pointAfter { out[o] = UInt8(ascii: "."); o += 1 }
                out[o] = d + 0x30
                o += 1
                k += 1
            }
            if e10 > 0 { for _ in 0..<e10 { out[o] = 0x30; o += 1 } }
            return o
        }
        let changed = !plain || length != inputLength
        if e10 >= 0, let v = Int64(text) { return .success(Output(number: .integer(v), changed: changed)) }
        return .success(Output(number: .decimal(.trusted(canonical: text)), changed: changed))
    }

    /// Calls `body` with the digits of index first...last (counting digits only, skipping `,` and `.`).
    @inline(__always)
    static func forEachSignificantDigit(_ u: UnsafeBufferPointer<UInt8>, from start: Int, first: Int, last: Int, _ body: (UInt8) -> Void) {
        var k = 0, i = start
        while k <= last {
            let c = u[i]
            if isDigit(c) {
                if k >= first { body(c - 0x30) }
                k += 1
            }
            i += 1
        }
    }
}
