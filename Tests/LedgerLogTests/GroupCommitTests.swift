import Dispatch
@testable import LedgerLog
import LedgerTestKit
import Logging
import Synchronization
import Testing

/// Concurrent appends are grouped into shared commits, and each caller gets its own offsets.
@Suite struct GroupCommitTests {
    @Test func theQueueElectsOneLeaderAndHandsItEveryWaitingRequest() {
        var q = GroupCommitQueue<Int>()
        #expect(q.enqueue(1) == .lead)
        #expect(q.enqueue(2) == .wait)
        #expect(q.enqueue(3) == .wait)
        #expect(q.next() == [1, 2, 3])
        #expect(q.enqueue(4) == .wait)   // still leading until the queue drains
        #expect(q.next() == [4])
        #expect(q.next() == nil)         // leadership ends
        #expect(q.enqueue(5) == .lead)
        #expect(q.next() == [5])
        #expect(q.next() == nil)
    }

    @Test func concurrentAppendersGetDisjointConsecutiveOffsetsAndShareBatches() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try LogWriter(directory: dir.path, logger: Logger(label: "test"))
        let threads = 8, perThread = 200
        let receipts = Mutex<[(thread: Int, i: Int, receipt: AppendReceipt)]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread {
                let events = (0..<(1 + i % 3)).map { j in
                    try! NewEvent(source: "t\(t)", entity: "ticks", keyFields: ["id"],
                                  fields: [Field("id", .string("\(t)-\(i)-\(j)")), Field("n", .integer(Int64(j)))])
                }
                let r = try! writer.append(events)
                receipts.withLock { $0.append((t, i, r)) }
            }
        }
        writer.close()
        let all = receipts.withLock { $0 }
        #expect(all.count == threads * perThread)
        // Offsets: every receipt covers its own consecutive range; together they tile 0..<total.
        let total = all.reduce(0) { $0 + $1.receipt.count }
        var covered = [Bool](repeating: false, count: total)
        for r in all {
            #expect(r.receipt.count == 1 + r.i % 3)
            for o in r.receipt.firstOffset..<r.receipt.nextOffset {
                #expect(!covered[Int(o)])
                covered[Int(o)] = true
            }
        }
        #expect(covered.allSatisfy { $0 })
        // Each receipt's chain head is the hash of its own last event, and events are where the receipt says.
        let reader = try LogReader(directory: dir.path)
        for r in all.prefix(300) {
            let last = try #require(try reader.event(at: r.receipt.nextOffset - 1))
            #expect(last.hash == r.receipt.chainHead)
            #expect(last.source == "t\(r.thread)")
            #expect(last.value(of: "id") == .string("\(r.thread)-\(r.i)-\(r.receipt.count - 1)"))
        }
        let report = try LogVerifier(directory: dir.path, deep: true).verify()
        #expect(report.ok)
        #expect(report.events == UInt64(total))
    }
}
