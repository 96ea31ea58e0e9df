import Dispatch
import LedgerLog
import LedgerTestKit
import Synchronization
import Testing

/// Appends that span several batches are written on two cores (the caller encodes batch n+1 while
/// batch n is compressed and hashed and the batches before are written and fsynced): the result must be the log a one-batch-at-a-time
/// writer makes, and an append must return only once all of its batches are durable.
@Suite struct PipelinedAppendTests {
    static func event(_ source: String, _ i: Int) -> NewEvent {
        try! NewEvent(source: source, entity: "pipe", keyFields: ["id"],
                      fields: [Field("id", .string("\(source)-\(i)")), Field("n", .integer(Int64(i))),
                               Field("note", .string(String(repeating: "x", count: i % 50)))])
    }

    static var smallBatches: LogConfiguration {
        var c = LogConfiguration()
        c.maxBatchEvents = 7          // a 1,000-event append is 143 batches
        c.segmentMaxBytes = 4 << 10   // and rolls segments on the way
        return c
    }

    @Test func aManyBatchAppendWritesTheSameLogAsOneBatchAtATime() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let events = (0..<1000).map { Self.event("a", $0) }
        let clock = SteppingClock(start: 1_790_000_000_000_000, step: 0)
        let writer = try LogWriter(directory: dir.path + "/pipelined", configuration: Self.smallBatches,
                                   clock: clock.logClock, logger: testLogger())
        let receipt = try writer.append(events)
        writer.close()
        #expect(receipt.firstOffset == 0 && receipt.count == 1000)

        // The same events, one batch-sized append at a time (each append is one batch: no pipeline).
        let clock2 = SteppingClock(start: 1_790_000_000_000_000, step: 0)
        let reference = try LogWriter(directory: dir.path + "/sequential", configuration: Self.smallBatches,
                                      clock: clock2.logClock, logger: testLogger())
        var last: AppendReceipt?
        for start in stride(from: 0, to: events.count, by: 7) {
            last = try reference.append(Array(events[start..<min(start + 7, events.count)]))
        }
        reference.close()

        #expect(receipt.chainHead == last?.chainHead)
        let read = try readAll(dir.path + "/pipelined")
        #expect(read.count == 1000)
        #expect(read.last?.hash == receipt.chainHead)
        for (i, e) in read.enumerated() where e.offset != UInt64(i) || e.value(of: "id") != .string("a-\(i)") {
            Issue.record("event \(i) read back wrong")
            break
        }
        let report = try LogVerifier(directory: dir.path + "/pipelined", deep: true).verify()
        #expect(report.ok, "\(String(describing: report.problem)) \(report.indexProblems)")
        #expect(report.sealedSegments > 2 && report.events == 1000)
    }

    @Test func concurrentManyBatchAppendsAreGroupedAndEachReceiptIsDurableAndRight() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try LogWriter(directory: dir.path, configuration: Self.smallBatches, logger: testLogger())
        let threads = 4, perThread = 25
        let receipts = Mutex<[(source: String, size: Int, receipt: AppendReceipt)]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread {
                let size = 1 + (i * 13 + t * 5) % 40
                let source = "t\(t)-\(i)"
                let r = try! writer.append((0..<size).map { Self.event(source, $0) })
                // Acknowledged: a fresh reader sees every event of the receipt right away.
                let reader = try! LogReader(directory: dir.path)
                let lastEvent = try! reader.event(at: r.nextOffset - 1)
                #expect(lastEvent?.hash == r.chainHead && lastEvent?.source == source)
                receipts.withLock { $0.append((source, size, r)) }
            }
        }
        writer.close()
        let all = receipts.withLock { $0 }
        let total = all.reduce(0) { $0 + $1.size }
        let events = try readAll(dir.path)
        #expect(events.count == total)
        for r in all {
            #expect(r.receipt.count == r.size)
            for (j, o) in (r.receipt.firstOffset..<r.receipt.nextOffset).enumerated() {
                let e = events[Int(o)]
                #expect(e.source == r.source && e.value(of: "n") == .integer(Int64(j)), "offset \(o)")
            }
        }
        let report = try LogVerifier(directory: dir.path, deep: true).verify()
        #expect(report.ok, "\(String(describing: report.problem)) \(report.indexProblems)")
    }

    /// Bytes in the log's segment files now.
    static func segmentBytes(_ dir: String) -> Int {
        let bases = (try? LogDirectory.segmentBases(dir)) ?? []
        return bases.reduce(0) { total, base in total + Int(LogDirectory.fileSize(dir + "/" + SegmentName.file(base, "seg")) ?? 0) }
    }

    @Test(arguments: [3, 1000])
    func beforeWriteRunsFirstAndMeanwhileOnceAndAFailingBeforeWriteWritesNothing(events count: Int) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try LogWriter(directory: dir.path, configuration: Self.smallBatches, logger: testLogger())
        defer { writer.close() }
        try writer.append((0..<10).map { Self.event("w", $0) })
        let before = Self.segmentBytes(dir.path)

        // beforeWrite sees none of the append's bytes on disk; meanwhile runs once, on the caller.
        let seen = Mutex<[Int]>([])
        var meanwhileRuns = 0
        let path = dir.path
        let receipt = try writer.append((0..<count).map { Self.event("a", $0) }, beforeWrite: {
            seen.withLock { $0.append(Self.segmentBytes(path)) }
        }, meanwhile: { meanwhileRuns += 1 })
        #expect(seen.withLock { $0 } == [before])
        #expect(meanwhileRuns == 1)
        #expect(receipt.firstOffset == 10 && receipt.count == count)

        // A beforeWrite that throws: the append fails with its error and writes nothing.
        let head = writer.head
        let size = Self.segmentBytes(dir.path)
        #expect(throws: LogError.self) {
            try writer.append((0..<count).map { Self.event("b", $0) }, beforeWrite: { () throws(LogError) in
                throw LogError(.io, "refused")
            }, meanwhile: { meanwhileRuns += 1 })
        }
        #expect(meanwhileRuns == 2)
        #expect(writer.head == head)
        #expect(Self.segmentBytes(dir.path) == size)
        // The writer is still usable.
        let after = try writer.append([Self.event("c", 0)])
        #expect(after.firstOffset == head.nextOffset)
    }
}
