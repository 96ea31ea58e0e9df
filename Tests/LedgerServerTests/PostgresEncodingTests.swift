import LedgerLog
@testable import LedgerPostgres
import LedgerProjection
import LedgerTestKit
import Logging
import PostgresNIO
import Testing

extension LedgerServerTests {
    /// The ways rows reach Postgres — COPY text (psql references), binary COPY (replays) and binary arrays (live batches) —
    /// round-trip awkward values exactly through the live server.
    @Suite struct PostgresEncodingTests {
        static let texts: [String?] = [
            "plain", "", nil, "tab\there", "new\nline", "cr\rhere", "back\\slash", "quote\"d", "comma,brace{}",
            "NULL", "\\N", " spaced ", "ünïcødé ✓ 𝄞", String(repeating: "x", count: 5000),
        ]
        /// Decimals whose base-10000 digits start, end or pause on group boundaries.
        static let numerics = [
            "0", "-12.5", "12345678901234567890.123456789012345678", "1e-20", "0.05", "-0.0001", "10000",
            "99999999.9999", "-100000000", "1.5", "0.1", "1234.5678", "-9.87654321", "20000.00002",
        ]
        static let times: [Timestamp] = [
            Timestamp.minimum, Timestamp(microseconds: 0), Timestamp(microseconds: 1_767_225_600_123_456),
            Timestamp(microseconds: -1), Timestamp.maximum,
        ]

        @Test func copyTextBinaryCopyAndBinaryArraysRoundTrip() async throws {
            let scratch = PostgresScratch()
            let rows: [[AnalyticsValue]] = Self.texts.enumerated().map { i, t in
                [.bigint(Int64(i) - 3), t.map { .text($0) } ?? .null,
                 .numeric(LedgerDecimal(Self.numerics[i % Self.numerics.count])!),
                 .timestamp(Self.times[i % Self.times.count])]
            }
            try await scratch.withConnection { c in
                _ = try await c.query(PostgresQuery(unsafeSQL: "CREATE TEMP TABLE enc (k bigint, t text, n numeric, at timestamptz)"), logger: scratch.logger)
                var copy = PostgresCopyText()
                for r in rows { copy.append(r) }
                try await c.copyFrom(table: "enc", logger: scratch.logger) { w in try await w.write(ByteBuffer(bytes: copy.bytes)) }
                let fromCopy = try await Self.read(c, "SELECT k, t, n::text, (extract(epoch FROM at) * 1000000)::bigint FROM enc ORDER BY k", scratch.logger)

                _ = try await c.query("TRUNCATE enc", logger: scratch.logger)
                var binary = PostgresCopyBinary()
                for r in rows { binary.append(r) }
                try await c.copy(binary, into: "enc", logger: scratch.logger)
                let fromBinaryCopy = try await Self.read(c, "SELECT k, t, n::text, (extract(epoch FROM at) * 1000000)::bigint FROM enc ORDER BY k", scratch.logger)

                var arrays = PostgresArrayColumns(kinds: [.bigint, .text, .numeric, .timestamp])
                for r in rows { arrays.append(r) }
                let q = PostgresQuery(unsafeSQL: """
                    SELECT k, t, n::text, (extract(epoch FROM at) * 1000000)::bigint
                    FROM \(arrays.unnest(["k", "t", "n", "at"], orderBy: "k")) ORDER BY k
                    """, binds: arrays.bindings)
                #expect(arrays.unnest(["k", "t", "n", "at"], orderBy: "k")
                        == "(SELECT * FROM unnest($1::bigint[], $2::text[], $3::numeric[], $4::timestamptz[]) AS u (k, t, n, at) ORDER BY k) x")
                let fromArrays = try await Self.read(c, q, scratch.logger)

                let want = rows.map { r -> String in
                    guard case .bigint(let k) = r[0], case .numeric(let n) = r[2], case .timestamp(let at) = r[3] else { return "" }
                    let t: String = if case .text(let s) = r[1] { s } else { "<null>" }
                    return "\(k)|\(t)|\(n.text)|\(at.microseconds)"
                }.sorted { Int64($0.split(separator: "|")[0])! < Int64($1.split(separator: "|")[0])! }
                #expect(fromCopy == want)
                #expect(fromBinaryCopy == want)
                #expect(fromArrays == want)
            }
        }

        /// A batch's upserts and pair rows reach the server in key order (numbers by value,
        /// text by UTF-8 bytes), so their statements need no ORDER BY.
        @Test func batchRowsReachTheServerInKeyOrder() async throws {
            let scratch = PostgresScratch()
            func row(_ table: AnalyticsTable, _ key: AnalyticsValue) -> AnalyticsChange {
                .upsert(table, [key] + table.allColumns.dropFirst().map { _ in AnalyticsValue.null })
            }
            let effects = PostgresEffectRows([
                row(AnalyticsSchema.sales, .bigint(5)), row(AnalyticsSchema.products, .text("b")), row(AnalyticsSchema.sales, .bigint(-2)),
                row(AnalyticsSchema.products, .text("ä")), row(AnalyticsSchema.sales, .bigint(9)), row(AnalyticsSchema.products, .text("Z")),
                row(AnalyticsSchema.products, .text("a")), row(AnalyticsSchema.sales, .bigint(1)),
            ])
            var delta = CoOccurrenceDelta()
            // "e\u{301}" (e and a combining accent) sorts before "f" by bytes, after it as Swift compares text.
            for (r, code) in [(7, "b"), (3, "z"), (7, "f"), (7, "B"), (3, "a"), (12, "é"), (7, "e\u{301}")] {
                delta.lines[BasketLine(receiptNo: Int64(r), productCode: code)] = 1
            }
            for (a, b) in [("b", "c"), ("a", "é"), ("B", "a"), ("a", "b")] { delta.pairs[ProductPair(a, b)!] = 1 }
            // Basket lines (the SQLite target writes them in this order) sort by receipt, then by bytes.
            #expect(delta.lines.keys.sorted().map(\.description) == ["3/a", "3/z", "7/B", "7/b", "7/e\u{301}", "7/f", "12/é"])
            try await scratch.withConnection { c in
                func keys(_ rows: PostgresArrayColumns, _ names: [String], _ select: String) async throws -> [String] {
                    var out: [String] = []
                    let q = PostgresQuery(unsafeSQL: "SELECT \(select) FROM \(rows.unnest(names))", binds: rows.bindings)
                    for try await k in try await c.query(q, logger: scratch.logger).decode(String.self) { out.append(k) }
                    return out
                }
                let sales = try #require(effects.upserts["sales"]), products = try #require(effects.upserts["products"])
                #expect(try await keys(sales, AnalyticsSchema.sales.allColumns.map(\.name), "x.sale_id::text") == ["-2", "1", "5", "9"])
                #expect(try await keys(products, AnalyticsSchema.products.allColumns.map(\.name), "x.product_id") == ["Z", "a", "b", "ä"])
                #expect(try await keys(PostgresCoOccurrenceRows.pairs(delta.pairs), ["a", "b", "n"], "x.a || '/' || x.b") == ["B/a", "a/b", "a/é", "b/c"])
            }
        }

        static func read(_ c: PostgresConnection, _ q: PostgresQuery, _ logger: Logger) async throws -> [String] {
            var out: [String] = []
            for try await (k, t, n, micros) in try await c.query(q, logger: logger).decode((Int64, String?, String, Int64).self) {
                // The numeric's text as the server shows it: its scale must be the canonical text's.
                out.append("\(k)|\(t ?? "<null>")|\(n)|\(micros)")
            }
            return out
        }
    }
}
