import LedgerLog
import LedgerTestKit
import PropertyBased
import Testing

/// Canonical decimal text (SPEC §3.1): parsing accepts sign, fraction and exponent and writes one form.
@Suite struct LedgerDecimalTests {
    @Test(arguments: [
        ("1250.00", "1250"), ("1250.0", "1250"), ("1.25e3", "1250"), ("+1250", "1250"), ("0001250.000", "1250"),
        ("1250", "1250"), ("12.5E+2", "1250"), ("125000e-2", "1250"),
        ("0.50", "0.5"), ("-0.50", "-0.5"), ("-0", "0"), ("-0.000", "0"), ("0e7", "0"), ("000", "0"),
        ("1e-3", "0.001"), ("-1E-3", "-0.001"), ("0.0001000", "0.0001"), ("10", "10"), ("1e2", "100"),
        ("-12.340", "-12.34"), ("5", "5"),
    ])
    func parsesToCanonicalText(input: String, canonical: String) throws {
        let d = try #require(LedgerDecimal(input), "\(input) was rejected")
        #expect(d.text == canonical)
        #expect(LedgerDecimal(canonical: canonical)?.text == canonical)
    }

    @Test(arguments: [
        "1,250.00", "1 250", " 1", "1 ", "", "-", "+", ".", "e5", "1e", "1e+", "--1", "+-1", "1.2.3", "1..2",
        "0x10", "NaN", "Infinity", "1_000", "١٢", "１２", "12a", "1e1000000", "€5",
    ])
    func garbageIsRejected(input: String) {
        #expect(LedgerDecimal(input) == nil, "\(input) was accepted as \(LedgerDecimal(input)?.text ?? "")")
    }

    @Test(arguments: ["1250.0", "01250", "+1250", "1.25e3", "-0", "0.50", ".5", "1250."])
    func nonCanonicalTextIsNotAcceptedAsCanonical(input: String) {
        #expect(LedgerDecimal(canonical: input) == nil)
    }

    @Test func thirtyEightSignificantDigitsAreAcceptedAndThirtyNineRejected() {
        let d38 = "12345678901234567890123456789012345678"
        #expect(LedgerDecimal(d38)?.text == d38)
        #expect(LedgerDecimal("-" + d38)?.text == "-" + d38)
        #expect(LedgerDecimal("1234567890123456789012345678901234567.8")?.text == "1234567890123456789012345678901234567.8")
        #expect(LedgerDecimal("0.00" + d38)?.text == "0.00" + d38)
        #expect(LedgerDecimal(d38 + "000")?.text == d38 + "000", "trailing integer zeros are not significant")
        #expect(LedgerDecimal(d38 + ".000")?.text == d38)
        #expect(LedgerDecimal(d38 + "9") == nil)
        #expect(LedgerDecimal("1.23456789012345678901234567890123456789") == nil)
        #expect(LedgerDecimal("-" + d38 + "1") == nil)
    }

    @Test func randomDecimalsKeepTheirValueDigitForDigit() async {
        // digits with a point anywhere, leading/trailing zeros and a sign: the canonical form drops only zeros.
        let input = Generator<(String, String), Shrink.None<(String, String)>> { rng in
            let significant = Int.random(in: 1...38, using: &rng)
            var digits = (0..<significant).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) }
            digits[0] = Character(String(Int.random(in: 1...9, using: &rng)))
            digits[significant - 1] = Character(String(Int.random(in: 1...9, using: &rng)))
            let leadingZeros = Int.random(in: 0...3, using: &rng), trailingZeros = Int.random(in: 0...3, using: &rng)
            let all = Array(repeating: Character("0"), count: leadingZeros) + digits + Array(repeating: Character("0"), count: trailingZeros)
            let point = Int.random(in: 0...all.count, using: &rng)
            let negative = Bool.random(using: &rng)
            let text = (negative ? "-" : "") + String(all[..<point]) + (point < all.count ? "." + String(all[point...]) : "")
            // expected: strip leading zeros of the integer part and trailing zeros of the fraction
            var intPart = String(all[..<point]).drop { $0 == "0" }
            var frac = point < all.count ? String(all[point...]) : ""
            while frac.last == "0" { frac.removeLast() }
            if intPart.isEmpty { intPart = "0" }
            let expected = (negative ? "-" : "") + intPart + (frac.isEmpty ? "" : "." + frac)
            return (point == 0 ? (negative ? "-0" : "0") + text.drop { $0 == "-" } : text, String(expected))
        }
        await propertyCheck(count: 300, input: input) { pair in
            #expect(LedgerDecimal(pair.0)?.text == pair.1, "\(pair.0)")
        }
    }

    @Test func ordersByValue() throws {
        let sorted = ["-100", "-2.5", "-2.25", "-0.001", "0", "0.001", "0.25", "0.5", "2", "10", "100.01"]
        let values = try sorted.map { try #require(LedgerDecimal($0)) }
        for i in values.indices {
            for j in values.indices {
                #expect((values[i] < values[j]) == (i < j), "\(sorted[i]) < \(sorted[j])")
            }
        }
    }

    /// The one-pass check of `init(canonical:)` agrees with "parses, and writes back the same text"
    /// on random text near the canonical form, and on canonical text of every length up to 40 digits.
    @Test func canonicalFastPathAgreesWithTheFullParse() {
        var rng = SeededRandom(seed: 17)
        let alphabet = Array("-0123456789.e+ ".utf8)
        var texts: [String] = ["", "-", ".", "-.", "0", "-0", "0.0", "-0.0", "0.", "-0.5", "00", "10", "10.0", "1.10", "1.01"]
        for _ in 0..<20_000 {
            let n = Int.random(in: 1...14, using: &rng)
            texts.append(String(decoding: (0..<n).map { _ in alphabet.randomElement(using: &rng)! }, as: UTF8.self))
        }
        for digits in 1...40 {
            let all = (0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) }
            let head = String(all.first == "0" ? ["1"] + all.dropFirst() : all)
            for point in 0...digits {
                var t = head
                if point < digits { t.insert(".", at: t.index(t.startIndex, offsetBy: point)) }
                texts.append(t)
                texts.append("-" + t)
            }
        }
        for t in texts {
            let full = LedgerDecimal(t).flatMap { $0.text == t ? $0 : nil }
            #expect(LedgerDecimal(canonical: t) == full, "\(t)")
        }
    }
}
