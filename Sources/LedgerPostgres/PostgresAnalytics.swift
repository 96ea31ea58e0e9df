import LedgerLog
public import LedgerProjection
public import Logging
import PostgresNIO

/// Read-only queries over the Postgres analytics projection: checkpoints, also-bought, top pairs,
/// the co-occurrence inputs, best sellers, row counts, exact sums and order-independent checksums.
public final class PostgresAnalytics: Sendable {
    public let configuration: PostgresConfiguration
    private let connection: PostgresSession
    private let logger: Logger

    /// Queries through `connection`, which stays open when this is released.
    init(configuration: PostgresConfiguration, connection: PostgresSession, logger: Logger) {
        self.configuration = configuration
        self.connection = connection
        self.logger = logger
    }

    /// Connects; call ``close()`` when done.
    public static func connect(_ configuration: PostgresConfiguration, logger: Logger) async throws(ProjectionError) -> PostgresAnalytics {
        PostgresAnalytics(configuration: configuration, connection: PostgresSession(try await configuration.connect(logger: logger)), logger: logger)
    }

    public func close() async { await connection.close() }

    private var schema: String { configuration.schema }

    private func read<T>(_ what: String, _ body: () async throws -> T) async throws(ProjectionError) -> T {
        do { return try await body() } catch {
            throw PostgresErrorClassification.projectionError(error, context: "\(what) in \(configuration)")
        }
    }

    /// Whether the schema holds the projection's tables (`ledger migrate` or `ledger project postgres` ran).
    public func exists() async throws(ProjectionError) -> Bool {
        try await read("looking for the schema") {
            let rows = try await connection.query("SELECT to_regclass(\(schema + ".projector_checkpoint")) IS NOT NULL", logger: logger)
            var found = false
            for try await b in rows.decode(Bool.self) { found = b }
            return found
        }
    }

    /// Every projector's stored checkpoint, by name.
    public func checkpoints() async throws(ProjectionError) -> [(projector: String, checkpoint: ProjectionCheckpoint)] {
        try await read("reading checkpoints") {
            let rows = try await connection.query("SELECT projector, next_offset, last_hash FROM \(unescaped: schema).projector_checkpoint ORDER BY projector", logger: logger)
            var out: [(String, ProjectionCheckpoint)] = []
            for try await (name, offset, hex) in rows.decode((String, Int64, String).self) {
                out.append((name, try ProjectionCheckpoint(stored: offset, hex: hex, place: "\(schema).projector_checkpoint of \(name)")))
            }
            return out
        }
    }

    /// The products bought with `productCode`, most receipts first, then by code.
    public func alsoBought(_ productCode: String, top: Int = 10) async throws(ProjectionError) -> [AlsoBought] {
        try await read("reading also_bought") {
            let rows = try await connection.query("""
                SELECT other, receipts FROM (
                    SELECT product_b AS other, receipts FROM \(unescaped: schema).also_bought WHERE product_a = \(productCode)
                    UNION ALL
                    SELECT product_a AS other, receipts FROM \(unescaped: schema).also_bought WHERE product_b = \(productCode)) x
                ORDER BY receipts DESC, other COLLATE "C" LIMIT \(top)
                """, logger: logger)
            var out: [AlsoBought] = []
            for try await (code, n) in rows.decode((String, Int64).self) { out.append(AlsoBought(productCode: code, receipts: n)) }
            return out
        }
    }

    /// The `n` pairs with the most receipts (count descending, then `(a, b)` ascending by bytes).
    public func topPairs(_ n: Int) async throws(ProjectionError) -> [(pair: ProductPair, receipts: Int64)] {
        try await read("reading also_bought") {
            let rows = try await connection.query("""
                SELECT product_a, product_b, receipts FROM \(unescaped: schema).also_bought
                ORDER BY receipts DESC, product_a COLLATE "C", product_b COLLATE "C" LIMIT \(n)
                """, logger: logger)
            var out: [(pair: ProductPair, receipts: Int64)] = []
            for try await (a, b, r) in rows.decode((String, String, Int64).self) {
                if let p = ProductPair(a, b) { out.append((p, r)) }
            }
            return out
        }
    }

    /// The co-occurrence inputs: live sales lines grouped by receipt and product code (from
    /// `sales` itself), ordered by receipt then code.
    public func coOccurrenceInputs() async throws(ProjectionError) -> [CoOccurrenceInput] {
        try await read("grouping sales") {
            let rows = try await connection.query("""
                SELECT receipt_no, product_code, count(*) FROM \(unescaped: schema).sales
                WHERE receipt_no IS NOT NULL AND product_code IS NOT NULL
                GROUP BY receipt_no, product_code ORDER BY receipt_no, product_code COLLATE "C"
                """, logger: logger)
            var out: [CoOccurrenceInput] = []
            for try await (r, c, n) in rows.decode((Int64, String, Int64).self) { out.append(CoOccurrenceInput(receiptNo: r, productCode: c, lines: n)) }
            return out
        }
    }

    /// The `top` products by exact revenue (sum of `sales.total`), then by code.
    public func bestSellers(top: Int = 10) async throws(ProjectionError) -> [BestSeller] {
        try await read("summing sales") {
            let rows = try await connection.query("""
                SELECT s.product_code, coalesce(p.name, s.name), s.revenue::text, s.quantity::text, s.lines FROM (
                    SELECT product_code, coalesce(sum(total), 0) AS revenue, coalesce(sum(qty), 0) AS quantity, count(*) AS lines,
                           min(product_name) AS name
                    FROM \(unescaped: schema).sales WHERE product_code IS NOT NULL GROUP BY product_code
                    ORDER BY revenue DESC, product_code COLLATE "C" LIMIT \(top)) s
                LEFT JOIN LATERAL (SELECT name FROM \(unescaped: schema).products WHERE code = s.product_code ORDER BY product_id LIMIT 1) p ON true
                ORDER BY s.revenue DESC, s.product_code COLLATE "C"
                """, logger: logger)
            var out: [BestSeller] = []
            for try await (code, name, revenue, quantity, lines) in rows.decode((String, String?, String, String, Int64).self) {
                out.append(BestSeller(productCode: code, productName: name, revenue: LedgerDecimal(revenue) ?? LedgerDecimal(0),
                                      quantity: LedgerDecimal(quantity) ?? LedgerDecimal(0), lines: lines))
            }
            return out
        }
    }

    /// Row counts of the entity tables, the `basket_lines` view and `also_bought`.
    public func rowCounts() async throws(ProjectionError) -> [String: Int] {
        try await read("counting rows") {
            var out: [String: Int] = [:]
            for t in AnalyticsSchema.projectedTables {
                let rows = try await connection.query("SELECT count(*)::bigint FROM \(unescaped: schema).\(unescaped: t)", logger: logger)
                for try await n in rows.decode(Int64.self) { out[t] = Int(n) }
            }
            return out
        }
    }

    /// Exact sum of `sales.total`, canonical decimal text.
    public func salesTotal() async throws(ProjectionError) -> String {
        try await read("summing sales") {
            let rows = try await connection.query("SELECT coalesce(sum(total), 0)::text FROM \(unescaped: schema).sales", logger: logger)
            var text = "0"
            for try await t in rows.decode(String.self) { text = t }
            return (LedgerDecimal(text) ?? LedgerDecimal(0)).text
        }
    }

    /// An order-independent checksum of each checked table (every column, through the schema's
    /// `table_checksum`): equal checksums mean equal contents whatever order rows were written in.
    public func tableChecksums() async throws(ProjectionError) -> [String: String] {
        try await read("checksumming tables") {
            var out: [String: String] = [:]
            for t in AnalyticsSchema.projectedTables {
                let rows = try await connection.query(
                    "SELECT \(unescaped: schema).table_checksum(\(schema + "." + t)::regclass)", logger: logger)
                for try await c in rows.decode(String.self) { out[t] = c }
            }
            return out
        }
    }

    /// The projector's dead letters: offset, entity, key and reason, by offset.
    public func deadLetters(projector: String) async throws(ProjectionError) -> [(offset: UInt64, entity: String, key: String, reason: String)] {
        try await read("reading dead letters") {
            let rows = try await connection.query("""
                SELECT event_offset, entity, key, reason FROM \(unescaped: schema).projector_dead_letters WHERE projector = \(projector) ORDER BY event_offset
                """, logger: logger)
            var out: [(offset: UInt64, entity: String, key: String, reason: String)] = []
            for try await (o, e, k, r) in rows.decode((Int64, String, String, String).self) { out.append((UInt64(max(0, o)), e, k, r)) }
            return out
        }
    }
}
