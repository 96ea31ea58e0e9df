#if canImport(Glibc)
import Glibc
#endif
import LedgerLog
import LedgerTestKit
import Testing

/// Readers and a follower running on their own threads while a writer appends (SPEC §8, §9), and the
/// single-writer lock (SPEC §10.1).
@Suite struct ConcurrencyTests {
    /// Sizes of the appends; each becomes exactly one batch.
    static let batchSizes: [Int] = (0..<150).map { [1, 7, 3, 12, 5, 20, 2][$0 % 7] }
    /// The committed heads a reader may observe: the ends of whole batches.
    static let boundaries: Set<UInt64> = {
        var s: Set<UInt64> = [0]
        var n: UInt64 = 0
        for b in batchSizes { n += UInt64(b); s.insert(n) }
        return s
    }()
    static var total: Int { batchSizes.reduce(0, +) }

    static func event(_ offset: Int) -> NewEvent {
        try! NewEvent(source: "thread", entity: "counters", keyFields: ["k"],
                      fields: [Field("k", .integer(Int64(offset % 11))), Field("n", .integer(Int64(offset))),
                               Field("pad", .string(String(repeating: String(offset, radix: 36) + "·", count: 12)))])
    }

    static var configuration: LogConfiguration {
        var c = LogConfiguration()
        c.segmentMaxBytes = 8 << 10   // several segments are sealed while readers read
        c.indexIntervalBytes = 512
        c.keyRunSize = 40
        return c
    }

    @Test func readersAndAFollowerSeeOnlyWholeCommittedBatchesWhileAWriterAppends() throws {
        let dir = TemporaryDirectory("ledger-concurrency")
        defer { dir.remove() }
        let writer = try LogWriter(directory: dir.path, configuration: Self.configuration, logger: testLogger())
        let expected = (0..<Self.total).map { EventFingerprint.of(Self.event($0)) }
        let failures = LockedValue<[String]>([])
        let writerDone = LockedValue(false)
        let passes = LockedValue(0)
        let followerHeads = LockedValue<[UInt64]>([])
        @Sendable func fail(_ s: String) { failures.withLock { if $0.count < 20 { $0.append(s) } } }

        let writerThread = JoinableThread {
            var next = 0
            for size in Self.batchSizes {
                do {
                    let receipt = try writer.append((next..<(next + size)).map(Self.event))
                    if receipt.firstOffset != UInt64(next) || receipt.count != size { fail("writer: receipt \(receipt) for \(next)+\(size)") }
                } catch {
                    fail("writer: \(error)")
                }
                next += size
            }
            writerDone.withLock { $0 = true }
        }

        /// One pass: take the committed head, read from a random offset below it with a cursor, check everything.
        @Sendable func readPass(_ id: Int, _ rng: inout SystemRandomNumberGenerator) throws {
            let reader = try LogReader(directory: dir.path)
            let head = try reader.head()
            guard Self.boundaries.contains(head.nextOffset) else { return fail("reader \(id): head \(head.nextOffset) is inside a batch") }
            // below the head: a cursor at the head itself can meet a segment the writer is still creating
            // (see TailRecoveryTests.readersTreatASegmentBeingCreatedAsEmpty)
            let start = head.nextOffset == 0 ? 0 : UInt64.random(in: 0..<head.nextOffset, using: &rng)
            let cursor = try reader.cursor(from: Bool.random(using: &rng) ? 0 : start, limit: head.nextOffset)
            var offset = cursor.nextOffset
            var last: LogEvent?
            while let e = try cursor.next() {
                guard e.offset == offset, EventFingerprint.of(e) == expected[Int(offset)] else {
                    return fail("reader \(id): expected offset \(offset), got \(e.offset) with different content")
                }
                offset += 1
                last = e
            }
            if offset != head.nextOffset { fail("reader \(id): cursor stopped at \(offset), head \(head.nextOffset)") }
            if let last, last.hash != head.chainHead { fail("reader \(id): chain head at \(offset) differs from HEAD") }
            // a cursor that takes the head itself also ends on a batch boundary
            let own = try reader.cursor(from: 0)
            if let limit = own.limit, !Self.boundaries.contains(limit) { fail("reader \(id): cursor limit \(limit) is inside a batch") }
            if head.nextOffset > 0 {
                let o = UInt64.random(in: 0..<head.nextOffset, using: &rng)
                if let e = try reader.event(at: o) {
                    if EventFingerprint.of(e) != expected[Int(o)] { fail("reader \(id): event(at: \(o)) differs") }
                } else {
                    fail("reader \(id): no event at \(o) below head \(head.nextOffset)")
                }
            }
            passes.withLock { $0 += 1 }
        }

        let readers = (0..<3).map { id in
            JoinableThread {
                var rng = SystemRandomNumberGenerator()
                while true {
                    let finished = writerDone.value
                    do { try readPass(id, &rng) } catch { fail("reader \(id): \(error)") }
                    if finished { break }
                }
            }
        }

        let follower = JoinableThread {
            let f = LogFollower(directory: dir.path)
            let deadline = LogClock.system.now() + 120_000_000
            var seen: UInt64 = 0
            while seen < UInt64(Self.total) && LogClock.system.now() < deadline {
                guard let h = f.waitForCommit(timeoutMilliseconds: 200) else { continue }
                if !Self.boundaries.contains(h.nextOffset) { fail("follower: head \(h.nextOffset) is inside a batch") }
                if h.nextOffset < seen { fail("follower: head went back from \(seen) to \(h.nextOffset)") }
                seen = max(seen, h.nextOffset)
                followerHeads.withLock { $0.append(h.nextOffset) }
            }
        }

        writerThread.join()
        for r in readers { r.join() }
        follower.join()
        writer.close()

        #expect(failures.value.isEmpty, "\(failures.value.joined(separator: "\n"))")
        #expect(passes.value >= 3)
        #expect(followerHeads.value.last == UInt64(Self.total), "the follower saw \(followerHeads.value.suffix(5))")
        let report = try LogVerifier(directory: dir.path, deep: true).verify()
        #expect(report.ok)
        #expect(report.events == UInt64(Self.total))
        #expect(report.sealedSegments >= 2)
        #expect(try readAll(dir.path).map { EventFingerprint.of($0) } == expected)
    }

    @Test func aSecondWriterIsLockedOutUntilTheFirstCloses() throws {
        let dir = TemporaryDirectory("ledger-lock")
        defer { dir.remove() }
        let first = try LogWriter(directory: dir.path, logger: testLogger())
        try first.append([Self.event(0)])
        let refused = #expect(throws: LogError.self) { try LogWriter(directory: dir.path, logger: testLogger()) }
        #expect(refused?.code == .locked)
        #expect(refused?.file == "LOCK")
        #expect(refused?.message.contains("process \(getpid())") == true, "\(String(describing: refused))")
        try first.append([Self.event(1)])
        first.close()
        let afterClose = #expect(throws: LogError.self) { try first.append([Self.event(2)]) }
        #expect(afterClose?.code == .writerFailed)

        let second = try LogWriter(directory: dir.path, logger: testLogger())
        #expect(second.head.nextOffset == 2)
        try second.append([Self.event(2)])
        second.close()
        #expect(try readAll(dir.path).map { EventFingerprint.of($0) } == (0..<3).map { EventFingerprint.of(Self.event($0)) })
    }

    @Test func aWriterThatIsDroppedWithoutClosingReleasesTheLock() throws {
        let dir = TemporaryDirectory("ledger-lock-drop")
        defer { dir.remove() }
        do {
            let w = try LogWriter(directory: dir.path, logger: testLogger())
            try w.append([Self.event(0)])
        }
        let again = try LogWriter(directory: dir.path, logger: testLogger())
        #expect(again.head.nextOffset == 1)
        again.close()
    }
}
