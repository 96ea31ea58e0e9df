#if canImport(Glibc)
import Glibc
#endif
import LedgerLog
import LedgerTestKit
import Testing

/// The writer keeps zero bytes ahead of the active segment's last batch (SPEC §9). Readers, `verify`
/// and recovery treat them as the end of the log (SPEC §10); sealed segments and cleanly closed logs
/// end exactly at their last byte of data.
@Suite struct PreallocationTests {
    static func events(_ from: Int, _ count: Int) -> [NewEvent] {
        (from..<from + count).map { i in
            try! NewEvent(source: "pre", entity: "rows", keyFields: ["id"],
                          fields: [Field("id", .integer(Int64(i))), Field("text", .string(String(repeating: "ab", count: i % 40)))])
        }
    }

    static func segmentPaths(_ dir: String) throws -> [String] {
        try LogDirectory.segmentBases(dir).map { dir + "/" + SegmentName.file($0, "seg") }
    }

    static func size(_ path: String) -> UInt64 { LogDirectory.fileSize(path) ?? 0 }

    @Test func anOpenWriterKeepsZerosAheadThatReadersAndVerifyTreatAsTheEnd() throws {
        let dir = TemporaryDirectory("ledger-prealloc")
        defer { dir.remove() }
        var config = LogConfiguration()
        config.preallocationBytes = 1 << 20
        let writer = try LogWriter(directory: dir.path, configuration: config, logger: testLogger())
        try writer.append(Self.events(0, 3000))
        let segment = try #require(try Self.segmentPaths(dir.path).last)
        #expect(Self.size(segment) == UInt64(SegmentHeader.size) + 1 << 20, "the active segment is extended by whole preallocation steps")

        let read = try readAll(dir.path)
        #expect(read.count == 3000 && read.last?.hash == writer.head.chainHead)
        let open = try LogVerifier(directory: dir.path, deep: true).verify()
        #expect(open.ok && open.events == 3000, "\(String(describing: open.problem))")

        try writer.append(Self.events(3000, 10))
        writer.close()
        let closed = try LogVerifier(directory: dir.path, deep: true).verify()
        #expect(closed.ok && closed.tornTail == nil && closed.events == 3010)
        #expect(try Self.lastStep(segment) == "end at \(Self.size(segment))", "a clean close cuts the zeros")
    }

    /// How a walk over the segment's batches ends: "end at N" when the file ends right after a batch.
    static func lastStep(_ path: String) throws -> String {
        let scanner = try SegmentScanner(path: path)
        var position = UInt64(SegmentHeader.size)
        while true {
            switch try scanner.step(at: position) {
            case .batch(let header, let at): position = at + UInt64(header.length)
            case .end(let at): return "end at \(at)"
            case .torn(let at, let reason): return "torn at \(at): \(reason)"
            case .footer(_, let at): return "footer at \(at)"
            case .damage(let error): return "damage: \(error)"
            }
        }
    }

    @Test func aWriterThatDiesLeavesZerosThatTheNextOpenCutsKeepingEveryEvent() throws {
        let dir = TemporaryDirectory("ledger-prealloc")
        defer { dir.remove() }
        var config = LogConfiguration()
        config.preallocationBytes = 256 << 10
        var writer: LogWriter? = try LogWriter(directory: dir.path, configuration: config, logger: testLogger())
        let receipt = try writer!.append(Self.events(0, 500))
        let segment = try #require(try Self.segmentPaths(dir.path).last)
        #expect(Self.size(segment) == UInt64(SegmentHeader.size) + 256 << 10)
        writer = nil   // no close: as after a crash, the zeros stay and the lock is released

        let reopened = try LogWriter(directory: dir.path, configuration: config, logger: testLogger())
        #expect(reopened.head == HeadRecord(nextOffset: 500, chainHead: receipt.chainHead))
        #expect(try Self.lastStep(segment) == "end at \(Self.size(segment))", "recovery cut the zero tail back to the last batch")
        try reopened.append(Self.events(500, 500))
        reopened.close()
        let report = try LogVerifier(directory: dir.path, deep: true).verify()
        #expect(report.ok && report.tornTail == nil && report.events == 1000)
        #expect(try readAll(dir.path).map(\.offset) == Array(0..<1000))
    }

    @Test func sealedSegmentsEndAtTheirFooterAndStayWithinTheSizeLimit() throws {
        let dir = TemporaryDirectory("ledger-prealloc")
        defer { dir.remove() }
        var config = LogConfiguration()
        config.segmentMaxBytes = 16 << 10
        config.preallocationBytes = 1 << 20   // larger than a segment: capped at the limit
        config.maxBatchEvents = 50
        let writer = try LogWriter(directory: dir.path, configuration: config, logger: testLogger())
        for i in 0..<40 { try writer.append(Self.events(i * 100, 100)) }
        let paths = try Self.segmentPaths(dir.path)
        #expect(paths.count > 3)
        for path in paths {
            #expect(Self.size(path) <= config.segmentMaxBytes, "\(path)")
        }
        for path in paths.dropLast() {
            let scanner = try SegmentScanner(path: path)
            let footer = try #require(try scanner.trailingFooter(), "\(path) ends in its footer")
            #expect(footer.position + UInt64(SegmentFooter.size) == Self.size(path))
        }
        writer.close()
        let report = try LogVerifier(directory: dir.path, deep: true).verify()
        #expect(report.ok && report.events == 4000 && report.sealedSegments == paths.count - 1)
    }
}
