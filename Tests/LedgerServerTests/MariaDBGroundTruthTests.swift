import LedgerCore
import LedgerSQLite
import LedgerSources
import LedgerTestKit
import Testing

extension LedgerServerTests {
    /// The workload of ../shared/gen_pos.py loaded into MariaDB the way the POS writes it, synced
    /// through the whole pipeline into a log: exactly the counts of expected.json after the backfill
    /// and after the delta, every malformed row a dead letter, the sales total to the cent, and a
    /// second sync appends nothing.
    @Suite struct MariaDBGroundTruthTests {
        @Test func mariaDBSourceMatchesTheGroundTruth() throws {
            let workload = try POSWorkload.generate(products: 300, receipts: 2000, sales: 6000)
            defer { workload.remove() }
            let expected = try Expected(directory: workload.directory.path)
            let scratch = try MariaDBScratch()
            defer { scratch.drop() }
            let log = TemporaryDirectory()
            defer { log.remove() }
            var harness = SyncHarness(log: log.path)
            harness.configuration.batchSize = 700
            func sync() throws -> SyncCounters {
                try harness.sync(POSChangeLogSource(database: MariaDBPOSDatabase(configuration: scratch.configuration), logger: harness.logger))
            }

            try scratch.load(workload, phase: "backfill")
            let backfill = try sync()
            var live = try harness.liveRecords()
            #expect(expected.mismatches(live, after: "backfill") == [])
            #expect(backfill.deadLetters == expected.malformed("backfill"))

            try scratch.load(workload, phase: "delta")
            let delta = try sync()
            live = try harness.liveRecords()
            #expect(expected.mismatches(live, after: "delta") == [])
            let letters = try harness.openDeadLetters()
            #expect(letters.count == expected.malformedTotal)
            #expect(letters.allSatisfy { !$0.letter.reason.isEmpty && !$0.letter.raw.isEmpty })
            #expect(delta.deletes > 0 && delta.updates > 0 && delta.inserts > 0)

            let eventsBefore = live.events
            #expect(try sync().eventsAppended == 0)
            #expect(try harness.liveRecords().events == eventsBefore)
        }
    }
}
