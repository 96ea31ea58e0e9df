import LedgerCore
import LedgerLog
import Testing

@Suite struct NormalizeNumericsTests {
    func decimal(_ s: String) -> String? {
        guard case .success(let o) = NumericsLayer.parse(s, field: "qty") else { return nil }
        return o.number.decimal.text
    }

    @Test(arguments: [
        ("1,250.00", "1250"), (" 12 ", "12"), ("1.5e2", "150"), ("1.25e3", "1250"), ("1250.0", "1250"), ("1250", "1250"),
        ("0.10", "0.1"), ("-0", "0"), ("+7", "7"), ("-1,234,567.890", "-1234567.89"), (".5", "0.5"), ("5.", "5"),
        ("1.25E-3", "0.00125"), ("0.000", "0"), ("12345678901234567890.5", "12345678901234567890.5"),
        ("1e20", "100000000000000000000"), ("007", "7"), ("2.026000000001e12", "2026000000001"),
    ])
    func parsesExactDecimals(input: String, canonical: String) {
        #expect(decimal(input) == canonical)
    }

    @Test func equalValuesAreIdentical() {
        let values = ["1,250.00", "1250.0", "1.25e3", "1250"].map { NumericsLayer.parse($0, field: "p") }
        #expect(Set(values.map { try? $0.get().number.decimal }).count == 1)
    }

    @Test func integralValuesAreIntegers() throws {
        #expect(try NumericsLayer.parse("2,026,000,000,001", field: "n").get().number == .integer(2_026_000_000_001))
        #expect(try NumericsLayer.parse("-9223372036854775808", field: "n").get().number == .integer(.min))
        #expect(try NumericsLayer.parse("9223372036854775808", field: "n").get().number == .decimal(LedgerDecimal("9223372036854775808")!))
        #expect(try NumericsLayer.parse("2.5", field: "n").get().number == .decimal(LedgerDecimal("2.5")!))
    }

    @Test func reportsWhetherTheTextChanged() throws {
        #expect(try NumericsLayer.parse("12.5", field: "p").get().changed == false)
        #expect(try NumericsLayer.parse("-3", field: "p").get().changed == false)
        #expect(try NumericsLayer.parse("12.50", field: "p").get().changed == true)
        #expect(try NumericsLayer.parse("1,000", field: "p").get().changed == true)
    }

    @Test(arguments: [
        ("1..2", "is not a number"), ("abc", "is not a number"), ("N/A", "is not a number"), ("2 pcs", "is not a number"),
        ("??", "is not a number"), ("", "is not a number"), ("-", "is not a number"), ("1e", "is not a number"), ("1.2.3", "is not a number"),
        ("1,2,3", "has misplaced thousands separators"), ("1,23", "has misplaced thousands separators"),
        ("1234,567", "has misplaced thousands separators"), (",123", "has misplaced thousands separators"),
        ("1,,234", "has misplaced thousands separators"), ("1,234.5,6", "is not a number"),
        ("123456789012345678901234567890123456789", "has more than 38 significant digits"), ("1e999999", "is outside the decimal range"),
    ])
    func rejectsWithTheQuotedValue(input: String, why: String) {
        #expect(NumericsLayer.parse(input, field: "qty") == .failure(
            NormalizationFailure(.numerics, field: "qty", reason: "\"\(input)\" \(why)")))
    }

    @Test func failureReadsLikeASentence() {
        guard case .failure(let f) = NumericsLayer.parse("1..2", field: "qty") else { Issue.record("parsed"); return }
        #expect(f.description == "numerics layer, field qty: \"1..2\" is not a number")
    }

    @Test func checksBounds() throws {
        let lo = LedgerDecimal("0")!, hi = LedgerDecimal("1000")!
        #expect(try NumericsLayer.parse("1,000", field: "q", minimum: lo, maximum: hi).get().number == .integer(1000))
        #expect(NumericsLayer.parse("1000.01", field: "q", minimum: lo, maximum: hi) == .failure(
            NormalizationFailure(.numerics, field: "q", reason: "\"1000.01\" is above the maximum 1000")))
        #expect(NumericsLayer.parse("-0.5", field: "q", minimum: lo, maximum: hi) == .failure(
            NormalizationFailure(.numerics, field: "q", reason: "\"-0.5\" is below the minimum 0")))
    }
}
