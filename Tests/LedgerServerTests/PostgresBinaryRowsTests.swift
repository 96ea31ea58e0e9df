import LedgerLog
@testable import LedgerPostgres
import LedgerProjection
import NIOCore
import Testing

extension LedgerServerTests {
    /// A replay's binary rows: the chunks hold exactly the live rows, whole and in log order, whatever
    /// the chunk size. (No server needed; the encoding itself round-trips in ``PostgresEncodingTests``.)
    @Suite struct PostgresBinaryRowsTests {
        static func row(_ i: Int) -> [AnalyticsValue] {
            [.bigint(Int64(i)), .text(String(repeating: "x", count: i % 7)), .numeric(LedgerDecimal("\(i).25")!), i % 3 == 0 ? .null : .timestamp(Timestamp(microseconds: Int64(i)))]
        }

        @Test(arguments: [1, 40, 200, 1 << 20])
        func chunksHoldTheLiveRowsInOrder(size: Int) {
            var rows = PostgresBinaryRows()
            var alive: [Bool] = []
            for i in 0..<50 {
                rows.append(Self.row(i))
                alive.append(true)
            }
            for dead in [0, 1, 7, 8, 9, 30, 49] {
                rows.remove(dead)
                alive[dead] = false
            }
            var want = PostgresCopyBinary()
            for i in 0..<50 where alive[i] { want.append(Self.row(i)) }

            var got = ByteBuffer()
            var at = 0
            var chunks = 0
            while var chunk = rows.chunk(from: &at, alive: alive, size: size) {
                got.writeBuffer(&chunk)
                chunks += 1
            }
            #expect(got == want.bytes)
            #expect(at == 50)
            if size == 1 << 20 { #expect(chunks == 1) }
        }
    }
}
