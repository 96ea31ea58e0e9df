import LedgerLog
import LedgerTestKit
import Testing

/// Recovery of the active segment's tail (SPEC §10): torn and zero-filled tails are cut back to the
/// last whole batch, appends continue on the same chain, and HEAD's committed offsets are never cut.
@Suite struct TailRecoveryTests {
    static func openWriter(_ directory: String) -> Result<LogWriter, LogError> {
        Result { () throws(LogError) in try LogWriter(directory: directory, configuration: SampleLog.configuration, logger: testLogger()) }
    }


    /// Positions in the active segment: each batch boundary −1, 0, +1, and inside each batch's header and payload.
    static func cutPoints(_ fixture: SampleLogFixture) -> [Int] {
        let active = fixture.active
        var points: Set<Int> = [SegmentHeader.size, SegmentHeader.size + 1, SegmentHeader.size + 3]
        for b in active.batches {
            points.formUnion([b.end - 1, b.end, b.end + 1, b.position + 4, b.position + 40, b.position + 79, b.position + 80,
                              (b.position + 80 + b.end) / 2])
        }
        return points.filter { $0 <= active.size }.sorted()
    }

    /// Appends one event through `writer`, closes it, and checks that the log holds exactly the first
    /// `kept` sample events and the new one, and that it verifies.
    static func expectAppendsContinue(_ writer: LogWriter, directory: String, kept: Int, log: SampleLog, context: String) throws {
        let extra = SampleLog.event(500)
        let receipt = try writer.append([extra])
        #expect(receipt.firstOffset == UInt64(kept), "\(context)")
        writer.close()
        let report = try LogVerifier(directory: directory, deep: true).verify()
        #expect(report.ok && report.tornTail == nil, "\(context): \(String(describing: report.problem ?? report.tornTail)) \(report.indexProblems)")
        #expect(report.events == UInt64(kept + 1), "\(context)")
        let events = try readAll(directory)
        #expect(events.map { EventFingerprint.of($0) } == (log.events.prefix(kept) + [extra]).map { EventFingerprint.of($0) }, "\(context)")
    }

    @Test func truncationsAroundEveryBatchBoundaryAreCutBackToTheLastWholeBatch() throws {
        let fixture = try SampleLogFixture(prefix: "ledger-tail")
        defer { fixture.root.remove() }
        for (i, cut) in Self.cutPoints(fixture).enumerated() {
            // The batch being written when the crash happened was not acknowledged: HEAD records the
            // batches before it, or (every other case) HEAD is gone.
            let expected = fixture.active.head(atOrBefore: cut)
            let wholeEnd = fixture.active.batches.filter { $0.end <= cut }.last?.end ?? SegmentHeader.size
            let dir = try fixture.copy()
            defer { TestFiles.removeDirectory(dir) }
            try TestFiles.truncate(dir + fixture.activePath, to: cut)
            if i % 2 == 0 { try TestFiles.write(expected.encoded(), to: dir + "/HEAD") } else { TestFiles.remove(dir + "/HEAD") }
            let context = "cut at \(cut), HEAD \(i % 2 == 0 ? "at \(expected.nextOffset)" : "missing")"

            let before = try LogVerifier(directory: dir).verify()
            #expect(before.problem == nil, "\(context): \(String(describing: before.problem))")
            #expect((before.tornTail != nil) == (cut != wholeEnd), "\(context): torn tail \(String(describing: before.tornTail))")
            #expect(try readAll(dir).count == Int(expected.nextOffset), "\(context): readers stop at the last whole batch")

            switch Self.openWriter(dir) {
            case .failure(let error):
                Issue.record("\(context): \(error)")
            case .success(let writer):
                #expect(TestFiles.size(dir + fixture.activePath) == wholeEnd, "\(context)")
                #expect(writer.head == expected, "\(context)")
                #expect(HeadRecord.read(directory: dir) == expected, "\(context)")
                try Self.expectAppendsContinue(writer, directory: dir, kept: Int(expected.nextOffset), log: fixture.log, context: context)
            }
        }
    }

    /// SPEC §10: HEAD is written only after a commit is durable, so a tail that HEAD records as committed is
    /// damage, whatever it looks like: the writer refuses, names the segment and place, and cuts nothing.
    @Test func aTailThatHEADRecordsAsCommittedIsNeverCut() throws {
        let fixture = try SampleLogFixture(prefix: "ledger-tail")
        defer { fixture.root.remove() }
        for cut in Self.cutPoints(fixture) where cut < fixture.active.size {
            let dir = try fixture.copy()
            defer { TestFiles.removeDirectory(dir) }
            try TestFiles.truncate(dir + fixture.activePath, to: cut)
            let context = "cut at \(cut) under the original HEAD"
            let torn = fixture.active.batches.first { $0.position < cut && cut < $0.end } ?? fixture.active.batches.first { $0.position == cut && cut < $0.end }
            let wholeEnd = fixture.active.batches.filter { $0.end <= cut }.last?.end ?? SegmentHeader.size
            // A torn batch is named by its start; a tail cut at a boundary by the end of the whole batches.
            let expectedPosition = cut == wholeEnd ? wholeEnd : torn!.position

            let report = try LogVerifier(directory: dir).verify()
            #expect(report.problem?.file == "HEAD", "\(context): \(String(describing: report.problem))")
            do {
                let cursor = try LogReader(directory: dir).cursor(from: 0)
                while try cursor.next() != nil {}
                Issue.record("\(context): a reader did not notice that committed events are missing")
            } catch {
                #expect(error.code == .damaged && error.file == fixture.active.name, "\(context): \(error)")
            }

            switch Self.openWriter(dir) {
            case .success(let writer):
                writer.close()
                Issue.record("\(context): the writer opened")
            case .failure(let error):
                #expect(error.code == .damaged && error.file == fixture.active.name, "\(context): \(error)")
                #expect(error.position == UInt64(expectedPosition), "\(context): \(error)")
                #expect(TestFiles.size(dir + fixture.activePath) == cut, "\(context): bytes were cut")
            }
        }
    }

    @Test(arguments: [1, 3, 4, 79, 80, 5000])
    func zerosAfterTheLastBatchAreCut(count: Int) throws {
        let fixture = try SampleLogFixture(prefix: "ledger-tail")
        defer { fixture.root.remove() }
        let dir = try fixture.copy()
        let path = dir + fixture.activePath
        try TestFiles.write(try TestFiles.read(path) + [UInt8](repeating: 0, count: count), to: path)
        let report = try LogVerifier(directory: dir).verify()
        #expect(report.problem == nil)
        #expect(report.tornTail?.position == UInt64(fixture.active.size))
        #expect(try readAll(dir).count == fixture.log.events.count)
        switch Self.openWriter(dir) {
        case .failure(let error): Issue.record("\(error)")
        case .success(let writer):
            #expect(TestFiles.size(path) == fixture.active.size)
            try Self.expectAppendsContinue(writer, directory: dir, kept: fixture.log.events.count, log: fixture.log, context: "\(count) zeros")
        }
    }

    /// A last batch zeroed from its first byte to the end of the file: cut when HEAD does not record
    /// it, refused when it does.
    @Test(arguments: [false, true])
    func aZeroedLastBatchIsCutOnlyWhenUnacknowledged(acknowledged: Bool) throws {
        let fixture = try SampleLogFixture(prefix: "ledger-tail")
        defer { fixture.root.remove() }
        let dir = try fixture.copy()
        let path = dir + fixture.activePath
        let last = fixture.active.batches.last!
        var bytes = try TestFiles.read(path)
        for i in last.position..<bytes.count { bytes[i] = 0 }
        try TestFiles.write(bytes, to: path)
        let staleHead = fixture.active.head(atOrBefore: last.position)
        if !acknowledged { try TestFiles.write(staleHead.encoded(), to: dir + "/HEAD") }
        switch Self.openWriter(dir) {
        case .success(let writer):
            #expect(!acknowledged, "the writer cut an acknowledged batch")
            #expect(TestFiles.size(path) == last.position)
            try Self.expectAppendsContinue(writer, directory: dir, kept: Int(staleHead.nextOffset), log: fixture.log, context: "zeroed last batch")
        case .failure(let error):
            #expect(acknowledged, "\(error)")
            #expect(error.code == .damaged && error.file == fixture.active.name && error.position == UInt64(last.position), "\(error)")
            #expect(TestFiles.size(path) == fixture.active.size)
        }
    }

    /// Bytes after the last batch that are neither zeros nor the start of a batch or footer are damage.
    @Test(arguments: [[UInt8](Array("QQ".utf8)), Array("LBXT".utf8), Array("garbage after the batches".utf8), [0, 0, 7]])
    func garbageAfterTheLastBatchIsRefused(garbage: [UInt8]) throws {
        let fixture = try SampleLogFixture(prefix: "ledger-tail")
        defer { fixture.root.remove() }
        let dir = try fixture.copy()
        let path = dir + fixture.activePath
        try TestFiles.write(try TestFiles.read(path) + garbage, to: path)
        let report = try LogVerifier(directory: dir).verify()
        #expect(report.problem?.file == fixture.active.name && report.problem?.position == UInt64(fixture.active.size),
                "\(String(describing: report.problem))")
        switch Self.openWriter(dir) {
        case .success(let writer):
            writer.close()
            Issue.record("the writer opened on \(garbage)")
        case .failure(let error):
            #expect(error.code == .damaged && error.file == fixture.active.name && error.position == UInt64(fixture.active.size), "\(error)")
            #expect(TestFiles.size(path) == fixture.active.size + garbage.count)
        }
    }

    /// A crash while sealing: the footer was partly written and the next segment never created.
    @Test(arguments: [1, 4, 64, 127])
    func aTornFooterOnTheLastSegmentIsCut(footerBytes: Int) throws {
        let fixture = try SampleLogFixture(prefix: "ledger-tail")
        defer { fixture.root.remove() }
        let dir = try fixture.copy()
        let sealed = fixture.layouts[0]
        for name in try TestFiles.names(in: dir) where name.hasPrefix(fixture.active.name.prefix(20)) { TestFiles.remove(dir + "/" + name) }
        try TestFiles.truncate(dir + "/" + sealed.name, to: sealed.footerPosition! + footerBytes)
        let head = sealed.head(atOrBefore: sealed.footerPosition!)
        try TestFiles.write(head.encoded(), to: dir + "/HEAD")
        switch Self.openWriter(dir) {
        case .failure(let error): Issue.record("\(error)")
        case .success(let writer):
            #expect(TestFiles.size(dir + "/" + sealed.name) == sealed.footerPosition!)
            #expect(writer.head == head)
            try Self.expectAppendsContinue(writer, directory: dir, kept: Int(head.nextOffset), log: fixture.log, context: "torn footer")
        }
    }

    /// A crash after sealing, before the next segment was created: the writer creates it.
    @Test func aSealedLastSegmentGetsANewActiveSegment() throws {
        let fixture = try SampleLogFixture(prefix: "ledger-tail")
        defer { fixture.root.remove() }
        let dir = try fixture.copy()
        let sealed = fixture.layouts[0]
        for name in try TestFiles.names(in: dir) where name.hasPrefix(fixture.active.name.prefix(20)) { TestFiles.remove(dir + "/" + name) }
        let head = sealed.head(atOrBefore: sealed.size)
        try TestFiles.write(head.encoded(), to: dir + "/HEAD")
        switch Self.openWriter(dir) {
        case .failure(let error): Issue.record("\(error)")
        case .success(let writer):
            #expect(TestFiles.exists(dir + "/" + fixture.active.name))
            #expect(try TestFiles.read(dir + "/" + sealed.name) == TestFiles.read(fixture.pristine + "/" + sealed.name))
            try Self.expectAppendsContinue(writer, directory: dir, kept: Int(head.nextOffset), log: fixture.log, context: "new segment")
        }
    }

    /// A copy of the sample log whose active segment is cut to its first `headerBytes` bytes, as a crash
    /// while creating it would leave it, with HEAD at the end of the sealed segment.
    static func interruptedSegmentCreation(_ fixture: SampleLogFixture, headerBytes: Int) throws -> (String, HeadRecord) {
        let dir = try fixture.copy()
        let sealed = fixture.layouts[0]
        let header = Array(try TestFiles.read(dir + fixture.activePath).prefix(headerBytes))
        for name in try TestFiles.names(in: dir) where name.hasPrefix(fixture.active.name.prefix(20)) { TestFiles.remove(dir + "/" + name) }
        try TestFiles.write(header, to: dir + fixture.activePath)
        let head = sealed.head(atOrBefore: sealed.size)
        try TestFiles.write(head.encoded(), to: dir + "/HEAD")
        return (dir, head)
    }

    /// SPEC §10: a last segment shorter than its header whose bytes are zero or a prefix of a header was
    /// interrupted while being created; it holds no event and the writer writes its header again.
    @Test(arguments: [0, 1, 8, 20, 127])
    func anInterruptedSegmentCreationIsRedone(headerBytes: Int) throws {
        let fixture = try SampleLogFixture(prefix: "ledger-tail")
        defer { fixture.root.remove() }
        let (dir, head) = try Self.interruptedSegmentCreation(fixture, headerBytes: headerBytes)
        switch Self.openWriter(dir) {
        case .failure(let error): Issue.record("\(headerBytes) header bytes: \(error)")
        case .success(let writer):
            #expect(TestFiles.size(dir + fixture.activePath) == SegmentHeader.size)
            try Self.expectAppendsContinue(writer, directory: dir, kept: Int(head.nextOffset), log: fixture.log, context: "\(headerBytes) header bytes")
        }
    }

    /// While the writer creates a segment (or after a crash doing it), the newest segment file can be
    /// shorter than a header. It holds no event (SPEC §10), so a reader at the head finds nothing to
    /// read rather than damage.
    @Test(arguments: [0, 20])
    func readersTreatASegmentBeingCreatedAsEmpty(headerBytes: Int) throws {
        let fixture = try SampleLogFixture(prefix: "ledger-tail")
        defer { fixture.root.remove() }
        let (dir, head) = try Self.interruptedSegmentCreation(fixture, headerBytes: headerBytes)
        let reader = try LogReader(directory: dir)
        #expect(try readAll(dir).count == Int(head.nextOffset))
        do {
            let cursor = try reader.cursor(from: head.nextOffset)
            #expect(try cursor.next() == nil)
        } catch {
            Issue.record("a tailing reader at the head: \(error)")
        }
        do {
            let offset = try reader.offset(atOrAfter: Timestamp(microseconds: .max / 2))
            #expect(offset == head.nextOffset)
        } catch {
            Issue.record("a time lookup past the last event: \(error)")
        }
    }
}
