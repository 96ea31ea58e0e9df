import Foundation
import LedgerCore
import LedgerLog
import LedgerTestKit
import Testing

/// The shared generator's ground truth: every backfill row of the three tables through the standard
/// POS mapping fails exactly when `expected.json` says it is malformed, and the valid sales totals add
/// up to the exact sum Python's `Decimal` computes independently.
@Suite struct NormalizeGroundTruthTests {
    static let tables: [(table: String, columns: [String])] = [
        ("products", ["product_id", "code", "name", "category", "department", "unit", "buy_price", "sell_price", "current_stock", "updated_at"]),
        ("receipts", ["receipt_id", "receipt_no", "at", "payment_channel", "customer"]),
        ("sales", ["sale_id", "at", "receipt_no", "product_code", "product_name", "qty", "price", "total", "customer"]),
    ]

    /// Sum of valid `total`s in cents, by the generator's own rules (strip, drop ",", Decimal).
    static let pythonSum = """
        import csv, sys
        from decimal import Decimal
        JUNK = " \\t\\u00a0\\x0b\\x01\\r\\n"
        total, valid = Decimal(0), 0
        for row in csv.DictReader(open(sys.argv[1], newline="")):
            v = {k: x.strip(JUNK) for k, x in row.items()}
            if not v["sale_id"]: continue
            try: nums = [Decimal(v[c].replace(",", "")) for c in ("qty", "price", "total", "receipt_no") if v[c]]
            except Exception: continue
            valid += 1
            total += Decimal(v["total"].replace(",", "")) if v["total"] else 0
        print(valid, int(total * 100))
        """

    @Test func backfillMatchesExpected() throws {
        let workload = try POSWorkload.generate(products: 300, receipts: 2000, sales: 6000)
        defer { workload.directory.remove() }
        let normalizers = try Normalizer.all(for: .standardPOS())
        var salesCents = 0, validSales = 0
        for (table, columns) in Self.tables {
            let n = try #require(normalizers[table])
            var counters = NormalizationCounters()
            var failures: [NormalizationFailure] = []
            let rows = try CSVFile.rows(path: workload.path("\(table).csv"))
            for (i, r) in rows.enumerated() {
                let row = SourceRow(
                    entity: table, position: SourcePosition(source: "csv", table: "\(table).csv", line: i + 2),
                    columns: columns, values: columns.map { c in r[c].map(RawValue.text) ?? .null })
                switch n.normalize(row, counters: &counters) {
                case .failure(let f): failures.append(f)
                case .success(let normalized) where table == "sales":
                    validSales += 1
                    if case .decimal(let d)? = normalized.fields.first(where: { $0.name == "total" })?.value {
                        salesCents += try Self.cents(d)
                    }
                case .success: break
                }
            }
            #expect(failures.count == workload.malformedRows(phase: "backfill", table: table), "\(table)")
            #expect(counters.rows == rows.count && counters.rejectedRows == failures.count)
            for f in failures {
                #expect(f.field != nil && !f.reason.isEmpty)
                let keyField = table == "products" ? "product_id" : table == "receipts" ? "receipt_id" : "sale_id"
                #expect(f == NormalizationFailure(.mapping, field: keyField, reason: "key field \(keyField) is null")
                    || (f.layer == .numerics && f.field == "qty" && f.reason.hasSuffix("is not a number")), "\(f)")
            }
        }
        let py = try Command.run(["python3", "-c", Self.pythonSum, workload.path("sales.csv")])
        #expect(py.status == 0, "\(py.error)")
        let parts = py.output.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(parts == [validSales, salesCents])
        #expect(validSales == 6000 - workload.malformedRows(phase: "backfill", table: "sales"))
    }

    /// A canonical decimal with at most two fraction digits, in hundredths.
    static func cents(_ d: LedgerDecimal) throws -> Int {
        let parts = d.text.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        try #require(fraction.count <= 2)
        let whole = try #require(Int(parts[0]))
        let f = try #require(Int(fraction.padding(toLength: 2, withPad: "0", startingAt: 0)))
        return whole * 100 + (d.isNegative ? -f : f)
    }
}
