import GRDB
import GRDBSQLite
import LedgerCore
import LedgerLog
public import LedgerProjection

/// Read-only queries over a SQLite analytics projection (``SQLiteAnalyticsTarget``'s file):
/// best sellers, also-bought, the co-occurrence inputs, checkpoints and table checksums.
public final class SQLiteAnalytics: Sendable {
    public let path: String
    private let db: DatabaseQueue

    /// Opens the file read-only; throws ``ProjectionError/Code/schema`` when it holds no projection.
    public init(path: String) throws(ProjectionError) {
        self.path = path
        do {
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(5)
            db = try DatabaseQueue(path: path, configuration: config)
            let ok = try db.read { db in try db.tableExists("projector_checkpoint") }
            guard ok else { throw ProjectionError(.schema, context: path, cause: "no analytics projection here; run `ledger project sqlite` first") }
        } catch {
            throw SQLiteAnalyticsTarget.projectionError(error, context: "opening \(path)", code: .schema)
        }
    }

    private func read<T>(_ what: String, _ body: (Database) throws -> T) throws(ProjectionError) -> T {
        do {
            return try db.read { db in try body(db) }
        } catch {
            throw SQLiteAnalyticsTarget.projectionError(error, context: "\(what) in \(path)")
        }
    }

    /// Every projector's stored checkpoint, by name.
    public func checkpoints() throws(ProjectionError) -> [(projector: String, checkpoint: ProjectionCheckpoint)] {
        try read("reading checkpoints") { db in
            try String.fetchAll(db, sql: "SELECT projector FROM projector_checkpoint ORDER BY projector").compactMap { name in
                try SQLiteAnalyticsTarget.checkpoint(db, projector: name).map { (name, $0) }
            }
        }
    }

    /// The products bought with `productCode`, most receipts first, then by code.
    public func alsoBought(_ productCode: String, top: Int = 10) throws(ProjectionError) -> [AlsoBought] {
        try read("reading also_bought") { db in
            try Row.fetchAll(db, sql: """
                SELECT other, receipts FROM (
                    SELECT product_b AS other, receipts FROM also_bought WHERE product_a = ?1
                    UNION ALL
                    SELECT product_a AS other, receipts FROM also_bought WHERE product_b = ?1)
                ORDER BY receipts DESC, other LIMIT ?2
                """, arguments: [productCode, top]).map { AlsoBought(productCode: $0[0], receipts: $0[1]) }
        }
    }

    /// The `n` pairs with the most receipts (count descending, then `(a, b)` ascending).
    public func topPairs(_ n: Int) throws(ProjectionError) -> [(pair: ProductPair, receipts: Int64)] {
        try read("reading also_bought") { db in
            try Row.fetchAll(db, sql: "SELECT product_a, product_b, receipts FROM also_bought ORDER BY receipts DESC, product_a, product_b LIMIT ?",
                             arguments: [n]).compactMap { row in ProductPair(row[0], row[1]).map { (pair: $0, receipts: row[2]) } }
        }
    }

    /// Every stored pair and its receipts.
    public func pairs() throws(ProjectionError) -> [ProductPair: Int64] {
        try read("reading also_bought") { db in
            var out: [ProductPair: Int64] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT product_a, product_b, receipts FROM also_bought")
            while let row = try rows.next() {
                if let p = ProductPair(row[0], row[1]) { out[p] = row[2] }
            }
            return out
        }
    }

    /// The co-occurrence inputs: live sales lines grouped by receipt and product code (from
    /// `sales` itself, not from `basket_lines`), ordered by receipt then code.
    public func coOccurrenceInputs() throws(ProjectionError) -> [CoOccurrenceInput] {
        try read("grouping sales") { db in
            let s = RawStatement(try db.makeStatement(sql: """
                SELECT receipt_no, product_code, count(*) FROM sales
                WHERE receipt_no IS NOT NULL AND product_code IS NOT NULL
                GROUP BY receipt_no, product_code ORDER BY receipt_no, product_code
                """))
            var out: [CoOccurrenceInput] = []
            try s.rows { h in
                out.append(CoOccurrenceInput(receiptNo: sqlite3_column_int64(h, 0), productCode: RawStatement.text(h, 1) ?? "",
                                             lines: sqlite3_column_int64(h, 2)))
            }
            return out
        }
    }

    /// The `top` products by exact revenue (sum of `sales.total`), then by code.
    public func bestSellers(top: Int = 10) throws(ProjectionError) -> [BestSeller] {
        try read("summing sales") { db in
            var sums: [String: (revenue: DecimalSum, quantity: DecimalSum, lines: Int64, name: String?)] = [:]
            let s = RawStatement(try db.makeStatement(sql: "SELECT product_code, total, qty, product_name FROM sales WHERE product_code IS NOT NULL"))
            try s.rows { h in
                guard let code = RawStatement.text(h, 0) else { return }
                var entry = sums[code] ?? (DecimalSum(), DecimalSum(), 0, nil)
                if let t = RawStatement.text(h, 1), let d = LedgerDecimal(canonical: t) { entry.revenue.add(d) }
                if let q = RawStatement.text(h, 2), let d = LedgerDecimal(canonical: q) { entry.quantity.add(d) }
                entry.lines += 1
                if entry.name == nil { entry.name = RawStatement.text(h, 3) }
                sums[code] = entry
            }
            let ranked = sums.map { code, e in
                BestSeller(productCode: code, productName: e.name, revenue: LedgerDecimal(e.revenue.text) ?? LedgerDecimal(0),
                           quantity: LedgerDecimal(e.quantity.text) ?? LedgerDecimal(0), lines: e.lines)
            }
            .sorted { $0.revenue != $1.revenue ? $1.revenue < $0.revenue : $0.productCode < $1.productCode }
            var out = Array(ranked.prefix(top))
            let names = try db.makeStatement(sql: "SELECT name FROM products WHERE code = ? ORDER BY product_id LIMIT 1")
            for i in out.indices {
                if let n = try String.fetchOne(names, arguments: [out[i].productCode]) { out[i].productName = n }
            }
            return out
        }
    }

    /// Row counts of the entity tables, `basket_lines` and `also_bought`.
    public func rowCounts() throws(ProjectionError) -> [String: Int] {
        try read("counting rows") { db in
            var out: [String: Int] = [:]
            for t in AnalyticsSchema.projectedTables {
                out[t] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(t)") ?? 0
            }
            return out
        }
    }

    /// Exact sum of `sales.total`, canonical decimal text.
    public func salesTotal() throws(ProjectionError) -> String {
        try read("summing sales") { db in
            var sum = DecimalSum()
            let s = RawStatement(try db.makeStatement(sql: "SELECT total FROM sales WHERE total IS NOT NULL"))
            try s.rows { h in
                if let t = RawStatement.text(h, 0), let d = LedgerDecimal(canonical: t) { sum.add(d) }
            }
            return sum.text
        }
    }

    /// An order-independent checksum of each table's rows (every column): equal checksums mean
    /// equal contents whatever order the rows were written in.
    public func tableChecksums() throws(ProjectionError) -> [String: String] {
        try read("checksumming tables") { db in
            var out: [String: String] = [:]
            for t in AnalyticsSchema.projectedTables {
                let s = RawStatement(try db.makeStatement(sql: "SELECT * FROM \(t)"))
                let columns = sqlite3_column_count(s.handle)
                var sum: UInt64 = 0, xor: UInt64 = 0, count = 0
                try s.rows { h in
                    var bytes: [UInt8] = []
                    for i in 0..<columns {
                        switch sqlite3_column_type(h, i) {
                        case SQLITE_NULL: bytes.append(0)
                        case SQLITE_INTEGER: bytes.append(1); bytes += Array(String(sqlite3_column_int64(h, i)).utf8)
                        default: bytes.append(2); bytes += Array((RawStatement.text(h, i) ?? "").utf8)
                        }
                        bytes.append(0x1F)
                    }
                    let x = bytes.withUnsafeBytes { XXH128.hash($0) }
                    sum &+= x.low
                    xor ^= x.high
                    count += 1
                }
                out[t] = "\(count):\(String(sum, radix: 16)):\(String(xor, radix: 16))"
            }
            return out
        }
    }

    /// The projector's dead letters: offset, entity, key and reason, by offset.
    public func deadLetters(projector: String) throws(ProjectionError) -> [(offset: UInt64, entity: String, key: String, reason: String)] {
        try read("reading dead letters") { db in
            try Row.fetchAll(db, sql: "SELECT event_offset, entity, key, reason FROM projector_dead_letters WHERE projector = ? ORDER BY event_offset",
                             arguments: [projector]).map { (UInt64(max(0, $0[0] as Int64)), $0[1], $0[2], $0[3]) }
        }
    }
}
