import LedgerLog
import LedgerTestKit
import PropertyBased
import Testing

/// Property-based round trips through the store: random events appended in random batches with small
/// segments and key runs, read back exactly, verified, reopened and continued.
@Suite struct RoundTripTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        var configuration: LogConfiguration
        var clockStart: Int64
        var clockStep: Int64
        var firstAppends: [[NewEvent]]
        var secondAppends: [[NewEvent]]

        var allEvents: [NewEvent] { (firstAppends + secondAppends).flatMap { $0 } }

        var testDescription: String {
            "\(firstAppends.count)+\(secondAppends.count) appends of \(allEvents.count) events; segmentMaxBytes \(configuration.segmentMaxBytes), "
                + "maxBatchEvents \(configuration.maxBatchEvents), keyRunSize \(configuration.keyRunSize), "
                + "indexIntervalBytes \(configuration.indexIntervalBytes), codec \(configuration.codec), level \(configuration.compressionLevel), "
                + "clock \(clockStart)+\(clockStep)·n"
        }
    }

    static let scenarios = Generator<Scenario, Shrink.None<Scenario>> { rng in
        var c = LogConfiguration()
        c.segmentMaxBytes = [16 << 10, 32 << 10, 64 << 10].randomElement(using: &rng)!
        c.maxBatchEvents = Int.random(in: 1...40, using: &rng)
        c.keyRunSize = Int.random(in: 2...16, using: &rng)
        c.indexIntervalBytes = [64, 512, 4096].randomElement(using: &rng)!
        c.codec = Int.random(in: 0..<4, using: &rng) == 0 ? .none : .lz4
        c.compressionLevel = [0, 0, 9].randomElement(using: &rng)!
        c.durability = .none
        let firstCount = Int.random(in: 12...24, using: &rng), secondCount = Int.random(in: 2...6, using: &rng)
        var events = RandomEvents(using: &rng, hugeCount: 1, expectedEvents: firstCount * 4)
        func appends(_ n: Int) -> [[NewEvent]] {
            (0..<n).map { _ in (0..<Int.random(in: 1...16, using: &rng)).map { _ in events.event(using: &rng) } }
        }
        let first = appends(firstCount)
        let second = appends(secondCount)
        return Scenario(configuration: c, clockStart: Int64.random(in: 1_500_000_000_000_000...1_900_000_000_000_000, using: &rng),
                        clockStep: Int64.random(in: 1...5_000_000, using: &rng), firstAppends: first, secondAppends: second)
    }

    static func kind(_ v: FieldValue) -> String {
        switch v {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .integer: "integer"
        case .decimal: "decimal"
        case .string: "string"
        case .timestamp: "timestamp"
        case .bytes: "bytes"
        case .json: "json"
        case .sealed: "sealed"
        }
    }

    struct Written {
        var events: [NewEvent]
        /// The commit time of each event, from the receipts.
        var times: [Int64]
        var receipts: [AppendReceipt]
    }

    /// Appends `appends` through a writer opened on `directory`, checking each receipt.
    static func append(_ appends: [[NewEvent]], to directory: String, scenario: Scenario, clock: SteppingClock,
                       into written: inout Written) throws {
        let writer = try LogWriter(directory: directory, configuration: scenario.configuration, clock: clock.logClock, logger: testLogger())
        defer { writer.close() }
        #expect(writer.head.nextOffset == UInt64(written.events.count))
        for batch in appends {
            let receipt = try writer.append(batch)
            #expect(receipt.firstOffset == UInt64(written.events.count))
            #expect(receipt.count == batch.count)
            if let previous = written.receipts.last { #expect(receipt.time > previous.time) }
            written.events += batch
            written.times += Array(repeating: receipt.time.microseconds, count: batch.count)
            written.receipts.append(receipt)
            #expect(writer.head == HeadRecord(nextOffset: receipt.nextOffset, chainHead: receipt.chainHead))
        }
    }

    /// Reads the whole log back and compares it with what was appended, byte for byte.
    static func expectReadsBack(_ written: Written, from directory: String) throws -> [LogEvent] {
        let read = try readAll(directory)
        #expect(read.count == written.events.count)
        for (i, (e, n)) in zip(read, written.events).enumerated() {
            guard e.offset == UInt64(i) else {
                Issue.record("event \(i) has offset \(e.offset)")
                return read
            }
            #expect(EventFingerprint.of(e) == EventFingerprint.of(n), "event \(i) differs from what was appended")
            #expect(e.time.microseconds == written.times[i], "event \(i) time")
            #expect(Array(e.canonicalKey.utf8) == Array(EventIdentity.canonicalKey(of: n).utf8), "event \(i) canonical key")
            #expect(e.recordID == n.recordID)
            #expect(e.dataHash == EventIdentity.dataHash(of: n))
        }
        for r in written.receipts where r.count > 0 && r.nextOffset <= UInt64(read.count) {
            #expect(read[Int(r.nextOffset) - 1].hash == r.chainHead, "receipt chain head at \(r.firstOffset)")
        }
        return read
    }

    /// Checks each sealed segment's footer and the next header against the events read back (SPEC §2.3, §6).
    static func expectSealedSegmentsCommitToTheirEvents(_ read: [LogEvent], directory: String) throws -> Int {
        let layouts = try SegmentLayout.all(directory: directory)
        var previousRoot = Digest32.zero
        for (i, layout) in layouts.enumerated() {
            #expect(layout.header.previousRoot == previousRoot, "\(layout.name) previous root")
            let base = Int(layout.header.baseOffset)
            #expect(layout.header.previousHash == (base == 0 ? .zero : read[base - 1].hash), "\(layout.name) previous hash")
            guard let footer = layout.footer else {
                #expect(i == layouts.count - 1, "only the last segment is unsealed")
                continue
            }
            let hashes = read[base..<(base + Int(footer.eventCount))].map(\.hash)
            #expect(footer.baseOffset == layout.header.baseOffset)
            #expect(footer.lastHash == hashes.last)
            #expect(footer.position == UInt64(layout.footerPosition!))
            #expect(footer.firstTime == layout.batches.first?.header.firstTime)
            #expect(footer.lastTime == layout.batches.last?.header.lastTime)
            let root = MerkleTree.chainedRoot(previous: previousRoot, treeRoot: MerkleTree.root(hashes[...]))
            #expect(footer.root == root, "\(layout.name) Merkle root")
            previousRoot = footer.root
        }
        return layouts.count
    }

    @Test func appendedEventsReadBackExactlyVerifyAndContinueAfterReopening() async {
        await propertyCheck(count: 3, input: Self.scenarios) { scenario in
            // the generator covers every value type, and one string of about 1 MiB
            let values = scenario.allEvents.flatMap { $0.fields.map(\.value) }
            #expect(Set(values.map(Self.kind)) == Set(["null", "false", "true", "integer", "decimal", "string", "timestamp", "bytes", "json", "sealed"]))
            #expect(values.contains { if case .string(let s) = $0 { s.utf8.count >= 1 << 20 } else { false } })
            let dir = TemporaryDirectory("ledger-roundtrip")
            defer { dir.remove() }
            let clock = SteppingClock(start: scenario.clockStart, step: scenario.clockStep)
            var written = Written(events: [], times: [], receipts: [])

            try Self.append(scenario.firstAppends, to: dir.path, scenario: scenario, clock: clock, into: &written)
            var read = try Self.expectReadsBack(written, from: dir.path)
            var report = try LogVerifier(directory: dir.path).verify()
            #expect(report.ok, "\(String(describing: report.problem)) \(report.indexProblems)")
            #expect(report.tornTail == nil)
            #expect(report.events == UInt64(written.events.count))
            #expect(report.head == HeadRecord(nextOffset: UInt64(read.count), chainHead: read.last?.hash ?? .zero))
            #expect(report.sealedSegments >= 2, "the scenario must seal several segments")
            #expect(report.segments == report.sealedSegments + 1)
            #expect(try Self.expectSealedSegmentsCommitToTheirEvents(read, directory: dir.path) == report.segments)
            #expect(HeadRecord.read(directory: dir.path) == report.head)

            // Reopen: the chain continues from the stored head.
            try Self.append(scenario.secondAppends, to: dir.path, scenario: scenario, clock: clock, into: &written)
            read = try Self.expectReadsBack(written, from: dir.path)
            report = try LogVerifier(directory: dir.path, deep: true).verify()
            #expect(report.ok, "\(String(describing: report.problem)) \(report.indexProblems)")
            #expect(report.events == UInt64(written.events.count))
            #expect(report.head == HeadRecord(nextOffset: UInt64(read.count), chainHead: read.last!.hash))
            #expect(try Self.expectSealedSegmentsCommitToTheirEvents(read, directory: dir.path) == report.segments)
        }
    }

    @Test func eventAtOffsetAtTimeAndRecordTrailsFindExactlyTheRightEvents() async {
        await propertyCheck(count: 3, input: Self.scenarios) { scenario in
            let dir = TemporaryDirectory("ledger-lookup")
            defer { dir.remove() }
            let clock = SteppingClock(start: scenario.clockStart, step: scenario.clockStep)
            var written = Written(events: [], times: [], receipts: [])
            try Self.append(scenario.firstAppends, to: dir.path, scenario: scenario, clock: clock, into: &written)
            try Self.append(scenario.secondAppends, to: dir.path, scenario: scenario, clock: clock, into: &written)
            let read = try Self.expectReadsBack(written, from: dir.path)
            try #require(read.count == written.events.count)
            let reader = try LogReader(directory: dir.path)
            let head = UInt64(read.count)

            // event(at:) for random offsets and both ends
            var rng = SystemRandomNumberGenerator()
            let offsets = [0, read.count - 1] + (0..<25).map { _ in Int.random(in: 0..<read.count, using: &rng) }
            for o in offsets {
                let e = try #require(try reader.event(at: UInt64(o)), "no event at \(o)")
                #expect(e.offset == UInt64(o))
                #expect(e.hash == read[o].hash)
                #expect(EventFingerprint.of(e) == EventFingerprint.of(written.events[o]))
            }
            #expect(try reader.event(at: head) == nil)
            #expect(try reader.event(at: head + 1000) == nil)

            // offset(atOrAfter:) with the stepping clock's commit times
            func expectedOffset(_ t: Int64) -> UInt64 { UInt64(written.times.firstIndex { $0 >= t } ?? read.count) }
            var times = [written.times.first! - 1, written.times.last! + 1, Int64.min / 2, Int64.max / 2]
            for r in written.receipts { times += [r.time.microseconds, r.time.microseconds - 1, r.time.microseconds + 1] }
            for _ in 0..<10 { times.append(Int64.random(in: written.times.first!...written.times.last!, using: &rng)) }
            for t in times {
                #expect(try reader.offset(atOrAfter: Timestamp(microseconds: t)) == expectedOffset(t), "time \(t)")
            }

            // trail(entity:canonicalKey:) for every record, across sealed segments, key runs and the journal
            var trails: [[UInt8]: [Int]] = [:]
            for (i, n) in written.events.enumerated() { trails[recordKeyBytes(n), default: []].append(i) }
            for (_, expected) in trails {
                let n = written.events[expected[0]]
                let trail = try reader.trail(entity: n.entity, canonicalKey: EventIdentity.canonicalKey(of: n))
                #expect(trail.map { Int($0.offset) } == expected, "trail of \(n.entity.debugDescription) \(EventIdentity.canonicalKey(of: n).debugDescription)")
                for e in trail where Int(e.offset) < written.events.count {
                    #expect(EventFingerprint.of(e) == EventFingerprint.of(written.events[Int(e.offset)]))
                }
            }
            #expect(try reader.trail(entity: "no such entity", canonicalKey: "id=1").isEmpty)
        }
    }

    /// SPEC §8: readers see only events below HEAD's next offset. After a crash between a batch's fsync
    /// and the HEAD update the batch is in the segment but not yet committed for readers.
    @Test func readersDoNotReturnEventsAtOrPastTheCommittedHead() throws {
        let dir = TemporaryDirectory("ledger-head")
        defer { dir.remove() }
        let log = try SampleLog.write(to: dir.path)
        let layouts = try SegmentLayout.all(directory: dir.path)
        let lastBatch = try #require(layouts.last?.batches.last)
        let staleHead = layouts.last!.head(atOrBefore: lastBatch.position)
        try TestFiles.write(staleHead.encoded(), to: dir.path + "/HEAD")
        let reader = try LogReader(directory: dir.path)
        #expect(try reader.head() == staleHead)
        #expect(try readAll(dir.path).count == Int(staleHead.nextOffset))
        #expect(try reader.event(at: staleHead.nextOffset - 1) != nil)
        #expect(try reader.event(at: staleHead.nextOffset) == nil, "offset \(staleHead.nextOffset) is past HEAD")
        #expect(try reader.event(at: UInt64(log.events.count - 1)) == nil, "offset \(log.events.count - 1) is past HEAD")
    }
}
