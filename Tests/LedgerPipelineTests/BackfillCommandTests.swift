import LedgerTestKit
import Testing

/// `ledger backfill --days N`: a window wide enough for every change backfills what a full sync
/// does; a bad --days is a usage error; a second run resumes and appends nothing.
@Suite struct BackfillCommandTests {
    @Test func aWideDaysWindowBackfillsEveryRowAndARerunAppendsNothing() throws {
        let pos = try POSSQLiteFixture.generate(products: 100, receipts: 500, sales: 2000, seed: 5)
        defer { pos.remove() }
        let work = TemporaryDirectory()
        defer { work.remove() }
        let ledger = PackagePaths.ledgerBinary()
        let windowed = work.path + "/windowed", full = work.path + "/full"

        let backfill = try Command.run([ledger, "backfill", "--log", windowed, "--sqlite", pos.databasePath, "--days", "100000"])
        #expect(backfill.status == 0, "\(backfill.error)")
        let sync = try Command.run([ledger, "sync", "--log", full, "--sqlite", pos.databasePath])
        #expect(sync.status == 0, "\(sync.error)")
        let a = try SyncHarness(log: windowed).liveRecords(), b = try SyncHarness(log: full).liveRecords()
        let expected = try Expected(directory: pos.path)
        #expect(a.records.count == ["products", "receipts", "sales"].reduce(0) { $0 + expected.rows(after: "backfill", $1) })
        #expect(a.fingerprint == b.fingerprint)

        let again = try Command.run([ledger, "backfill", "--log", windowed, "--sqlite", pos.databasePath, "--days", "100000"])
        #expect(again.status == 0)
        #expect(again.output.contains("resuming from it"))
        #expect(try SyncHarness(log: windowed).liveRecords().events == a.events)

        let bad = try Command.run([ledger, "backfill", "--log", work.path + "/bad", "--sqlite", pos.databasePath, "--days", "0"])
        #expect(bad.status == 64)
        #expect(bad.error.contains("--days must be a positive number of days"))
    }
}
