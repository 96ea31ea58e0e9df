import LedgerCore
import LedgerLog
import LedgerSQLite
import LedgerSources
import LedgerTestKit
import Testing

/// The workload of ../shared/gen_pos.py through each source: the log must hold exactly the counts
/// of expected.json, every malformed row must be a dead letter, the sales total must match to the
/// cent, and a second run must append nothing.
@Suite struct GroundTruthTests {
    static let size = (products: 400, receipts: 3000, sales: 12000)

    @Test func sqliteSourceMatchesTheGroundTruth() throws {
        let pos = try POSSQLiteFixture.generate(products: Self.size.products, receipts: Self.size.receipts, sales: Self.size.sales)
        defer { pos.remove() }
        let expected = try Expected(directory: pos.path)
        let log = TemporaryDirectory()
        defer { log.remove() }
        var harness = SyncHarness(log: log.path)
        harness.configuration.batchSize = 1000

        let backfill = try harness.syncSQLite(pos.databasePath)
        var live = try harness.liveRecords()
        #expect(expected.mismatches(live, after: "backfill") == [])
        #expect(backfill.deadLetters == expected.malformed("backfill"))
        #expect(try harness.openDeadLetters().count == expected.malformed("backfill"))

        try pos.loadDelta()
        let delta = try harness.syncSQLite(pos.databasePath)
        live = try harness.liveRecords()
        #expect(expected.mismatches(live, after: "delta") == [])
        let letters = try harness.openDeadLetters()
        #expect(letters.count == expected.malformedTotal)
        #expect(letters.allSatisfy { !$0.letter.reason.isEmpty && !$0.letter.raw.isEmpty })
        #expect(delta.deletes > 0 && delta.updates > 0 && delta.inserts > 0)

        // Again: nothing new at the source, nothing appended.
        let eventsBefore = live.events
        let again = try harness.syncSQLite(pos.databasePath)
        #expect(again.eventsAppended == 0)
        #expect(try harness.liveRecords().events == eventsBefore)

        // The delta state rebuilt from the log alone equals the one kept along the way.
        let writer = try LogWriter(directory: log.path, logger: harness.logger)
        let rebuilt = try DeltaState.load(from: writer)
        writer.close()
        let (snapshot, _) = try DeltaStateSnapshot.load(directory: log.path, head: rebuilt.nextOffset)
        #expect(rebuilt.records == snapshot.records)
        #expect(rebuilt.cursors == snapshot.cursors)
    }

    @Test func csvExportsMatchTheGroundTruth() throws {
        let pos = try POSSQLiteFixture.generate(products: Self.size.products, receipts: Self.size.receipts, sales: Self.size.sales)
        defer { pos.remove() }
        let expected = try Expected(directory: pos.path)
        let log = TemporaryDirectory()
        defer { log.remove() }
        let harness = SyncHarness(log: log.path)
        let mapping = SourceMapping.standardPOS()
        func importCSV(_ file: String, _ entity: String) throws -> SyncCounters {
            try harness.sync(CSVSource(name: "csv:\(file)", path: pos.path + "/" + file, mapping: mapping.entity(entity),
                                       options: .init(entity: entity)))
        }
        var letters = 0
        for entity in ["products", "receipts", "sales"] { letters += try importCSV("\(entity).csv", entity).deadLetters }
        var live = try harness.liveRecords()
        #expect(expected.mismatches(live, after: "backfill") == [])
        #expect(letters == expected.malformed("backfill"))

        for entity in ["products", "receipts", "sales"] { letters += try importCSV("\(entity)_delta.csv", entity).deadLetters }
        try harness.sync(ChangeLogCSVSource(name: "csv:changes.csv", path: pos.path + "/changes.csv", mapping: mapping))
        live = try harness.liveRecords()
        #expect(expected.mismatches(live, after: "delta") == [])
        #expect(letters == expected.malformedTotal)
        #expect(try harness.openDeadLetters().count == expected.malformedTotal)
        #expect(try harness.openDeadLetters().allSatisfy { $0.letter.position.line != nil })

        // Importing the same files again appends nothing.
        let events = live.events
        for entity in ["products", "receipts", "sales"] { _ = try importCSV("\(entity).csv", entity) }
        #expect(try harness.liveRecords().events == events)
    }

    @Test func sqliteAndCSVLogsHoldTheSameRecords() throws {
        let pos = try POSSQLiteFixture.generate(products: 100, receipts: 600, sales: 2400, seed: 7)
        defer { pos.remove() }
        let a = TemporaryDirectory(), b = TemporaryDirectory()
        defer { a.remove(); b.remove() }
        let viaSQLite = SyncHarness(log: a.path), viaCSV = SyncHarness(log: b.path)
        try viaSQLite.syncSQLite(pos.databasePath)
        let mapping = SourceMapping.standardPOS()
        for entity in ["products", "receipts", "sales"] {
            try viaCSV.sync(CSVSource(path: pos.path + "/\(entity).csv", mapping: mapping.entity(entity), options: .init(entity: entity)))
        }
        #expect(try viaSQLite.liveRecords().fingerprint == (try viaCSV.liveRecords().fingerprint))
    }
}
