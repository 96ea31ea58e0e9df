#if canImport(Glibc)
import Glibc
#endif
import LedgerCore
import LedgerLog
import LedgerSQLite
import LedgerTestKit
import Logging
import Synchronization
import Testing

/// The pipeline's stages (fetch, prepare, apply and commit, each on its own thread) over many
/// batches: order, exact counts, dead letters stamped with the head of their own batch, retries,
/// and a failure mid-stream that leaves exactly the batches before it committed.
@Suite struct SyncPipelineStreamTests {
    static let batches = 25
    static let rowsPerBatch = 100

    /// Delivers `batches` batches of sales rows, one per fetch, the cursor naming the next batch.
    /// Every tenth row has a quantity no numeric layer accepts. `failures` maps a call number (1 is
    /// the first fetch) to the error that call throws instead.
    final class ScriptedSource: ChangeSource {
        let name = "scripted"
        var failures: [Int: SourceError]
        private(set) var calls = 0
        /// Set when a call began while another was still running: the source was used by two threads.
        private let usedConcurrently = Atomic<Bool>(false)
        private let busy = Atomic<Bool>(false)
        var wasUsedConcurrently: Bool { usedConcurrently.load(ordering: .relaxed) }
        static let columns = ["sale_id", "at", "receipt_no", "product_code", "product_name", "qty", "price", "total", "customer"]

        init(failures: [Int: SourceError] = [:]) { self.failures = failures }

        func nextBatch(after cursor: SourceCursor?, limit: Int) throws(SourceError) -> SourceBatch {
            if busy.exchange(true, ordering: .acquiring) { usedConcurrently.store(true, ordering: .relaxed) }
            defer { busy.store(false, ordering: .releasing) }
            usleep(200)  // a fetch that takes a while, so two overlapping ones would be seen
            calls += 1
            if let error = failures.removeValue(forKey: calls) { throw error }
            let k = cursor?["batch"].flatMap { Int($0) } ?? 0
            let changes = (0..<SyncPipelineStreamTests.rowsPerBatch).map { i -> SourceChange in
                let id = k * SyncPipelineStreamTests.rowsPerBatch + i + 1
                let values: [RawValue] = [
                    .text("\(id)"), .text("2026-03-01 10:22:11"), .text("\(1000 + id / 3)"), .text("P\(id % 17)"), .text("Item"),
                    .text(id % 10 == 0 ? "lots" : "2"), .text("1,250.00"), .text("2500.00"), .null,
                ]
                return .row(SourceRow(entity: "sales", position: SourcePosition(source: name, table: "sales", rowID: Int64(id)),
                                      columns: Self.columns, values: values))
            }
            return SourceBatch(changes: changes, cursor: SourceCursor(["batch": "\(k + 1)"]),
                               hasMore: k + 1 < SyncPipelineStreamTests.batches)
        }
    }

    /// Per batch: the 90 good rows and the checkpoint.
    static let eventsPerBatch = UInt64(rowsPerBatch - rowsPerBatch / 10 + 1)

    /// The real dead-letter store, failing its `failOnCall`-th write as a full disk would.
    final class FailingStore: DeadLetterSink {
        let store: DeadLetterStore
        let failOnCall: Int
        private(set) var calls = 0
        init(_ store: DeadLetterStore, failOnCall: Int) { self.store = store; self.failOnCall = failOnCall }
        func record(_ letters: [DeadLetter]) throws(DeadLetterError) {
            calls += 1
            if calls == failOnCall { throw DeadLetterError(context: "dead-letters.sqlite", cause: "disk full") }
            try store.record(letters)
        }
    }

    func pipeline(_ source: ScriptedSource, log: String, failDeadLettersOnCall: Int? = nil) throws -> (SyncPipeline, LogWriter) {
        let writer = try LogWriter(directory: log, logger: Logger(label: "test"))
        let (state, _) = try DeltaStateSnapshot.load(directory: log, head: writer.head.nextOffset)
        let store = try DeadLetterStore(path: DeadLetterStore.defaultPath(logDirectory: log))
        let pipeline = try SyncPipeline(
            source: source, mapping: .standardPOS(), writer: writer,
            deadLetters: failDeadLettersOnCall.map { FailingStore(store, failOnCall: $0) } ?? store,
            state: state, sleep: { _ in }, logger: Logger(label: "test"))
        return (pipeline, writer)
    }

    @Test func deadLettersThatCannotBeRecordedStopTheBatchBeforeItIsWritten() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // The third batch's dead letters fail: batches 1 and 2 are in the log, nothing of the third.
        let (p, writer) = try pipeline(ScriptedSource(), log: dir.path, failDeadLettersOnCall: 3)
        #expect {
            try p.runUntilCaughtUp()
        } throws: { ($0 as? SyncError)?.code == .deadLetters }
        // The state took the failed batch in while it was being written: it is not saved, and the
        // pipeline does not go on with it.
        #expect(p.state.holdsFailedCommit)
        #expect(throws: LogError.self) { try DeltaStateSnapshot.save(p.state, directory: dir.path) }
        #expect {
            try p.runUntilCaughtUp()
        } throws: { ($0 as? SyncError)?.code == .state }
        writer.close()
        #expect(try LogReader(directory: dir.path).head().nextOffset == 2 * Self.eventsPerBatch)

        // A rerun starts after batch 2 and loses no dead letter.
        let (again, writer2) = try pipeline(ScriptedSource(), log: dir.path)
        #expect(again.state.cursors["scripted"] == SourceCursor(["batch": "2"]))
        let rest = try again.runUntilCaughtUp()
        writer2.close()
        #expect(rest.batches == Self.batches - 2)
        #expect(try DeadLetterStore(path: DeadLetterStore.defaultPath(logDirectory: dir.path)).list().count == Self.batches * 10)
        #expect(try SyncHarness(log: dir.path).liveRecords().records.count == Self.batches * 90)
    }

    @Test func everyBatchLandsInOrderWithItsDeadLettersStampedWithItsHead() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (p, writer) = try pipeline(ScriptedSource(), log: dir.path)
        let counters = try p.runUntilCaughtUp()
        writer.close()

        #expect(counters.batches == Self.batches)
        #expect(counters.processed == Self.batches * Self.rowsPerBatch)
        #expect(counters.inserts == Self.batches * 90)
        #expect(counters.deadLetters == Self.batches * 10)
        #expect(p.state.cursors["scripted"] == SourceCursor(["batch": "\(Self.batches)"]))

        // The log: per batch its 90 rows in source order, then its checkpoint.
        let reader = try LogReader(directory: dir.path)
        let cursor = try reader.cursor(from: 0, limit: try reader.head().nextOffset)
        var ids: [Int64] = []
        var checkpoints: [String] = []
        while let e = try cursor.next() {
            if e.op == .checkpoint {
                checkpoints.append(SourceCursor(checkpointFields: e.fields)["batch"] ?? "?")
                #expect(e.offset + 1 == UInt64(checkpoints.count) * Self.eventsPerBatch)
            } else if case .integer(let id)? = e.value(of: "sale_id") {
                ids.append(id)
            }
        }
        #expect(ids == (1...(Self.batches * Self.rowsPerBatch)).filter { $0 % 10 != 0 }.map(Int64.init))
        #expect(checkpoints == (1...Self.batches).map(String.init))

        // Each dead letter carries the head its batch was applied at.
        let letters = try DeadLetterStore(path: DeadLetterStore.defaultPath(logDirectory: dir.path)).list()
        #expect(letters.count == Self.batches * 10)
        for stored in letters {
            let id = Int(stored.letter.position.rowID ?? 0)
            #expect(id % 10 == 0)
            #expect(stored.letter.field == "qty")
            #expect(stored.letter.logOffset == UInt64((id - 1) / Self.rowsPerBatch) * Self.eventsPerBatch)
        }
    }

    @Test func aTransientFailureMidStreamIsRetried() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let source = ScriptedSource(failures: [7: SourceError(.unavailable, context: "scripted", cause: "connection dropped")])
        let (p, writer) = try pipeline(source, log: dir.path)
        let counters = try p.runUntilCaughtUp()
        writer.close()
        #expect(counters.retries == 1)
        #expect(source.calls == Self.batches + 1)
        #expect(!source.wasUsedConcurrently)
        #expect(counters.inserts == Self.batches * 90)
        #expect(try LogReader(directory: dir.path).head().nextOffset == UInt64(Self.batches) * Self.eventsPerBatch)
    }

    @Test func aFailureKeepsTheBatchesBeforeItAndARerunFinishes() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // The 13th fetch fails for good: batches 1-12 are committed, nothing of the rest.
        let source = ScriptedSource(failures: [13: SourceError(.badInput, context: "scripted", cause: "unreadable page")])
        let (p, writer) = try pipeline(source, log: dir.path)
        #expect(throws: SyncError.self) { try p.runUntilCaughtUp() }
        // The stream stopped fetching: at most the failed call was made after the failure.
        #expect(source.calls == 13)
        try DeltaStateSnapshot.save(p.state, directory: dir.path)
        writer.close()
        #expect(try LogReader(directory: dir.path).head().nextOffset == 12 * Self.eventsPerBatch)

        let (again, writer2) = try pipeline(source, log: dir.path)
        #expect(again.state.cursors["scripted"] == SourceCursor(["batch": "12"]))
        let rest = try again.runUntilCaughtUp()
        writer2.close()
        #expect(rest.batches == Self.batches - 12)
        #expect(rest.inserts == (Self.batches - 12) * 90)
        let live = try SyncHarness(log: dir.path).liveRecords()
        #expect(live.records.count == Self.batches * 90)
        #expect(live.checkpoints == Self.batches)
        // The first pipeline's stream had stopped before the second fetched from the same source.
        #expect(!source.wasUsedConcurrently)
    }
}
