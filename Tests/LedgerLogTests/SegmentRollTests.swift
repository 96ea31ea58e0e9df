import LedgerLog
import LedgerTestKit
import Logging
import Synchronization
import Testing

/// Segments roll by size and by age, and every sealed segment verifies.
@Suite struct SegmentRollTests {
    func event(_ i: Int) throws -> NewEvent {
        try NewEvent(source: "test", entity: "items", keyFields: ["id"],
                     fields: [Field("id", .integer(Int64(i))), Field("name", .string("item \(i)"))])
    }

    @Test func aSegmentIsSealedOnceItsFirstEventIsOlderThanTheAgeLimit() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var config = LogConfiguration()
        config.segmentMaxAgeSeconds = 10
        // Commits 4 s apart: a segment takes the appends at 0, 4 and 8 s; the one at 12 s starts the next.
        let now = Mutex<Int64>(1_767_254_400_000_000)
        let clock = LogClock { now.withLock { $0 } }
        let writer = try LogWriter(directory: dir.path, configuration: config, clock: clock, logger: Logger(label: "test"))
        for i in 0..<9 {
            try writer.append([try event(i)])
            now.withLock { $0 += 4_000_000 }
        }
        writer.close()
        #expect(try LogDirectory.segmentBases(dir.path) == [0, 3, 6])
        let report = try LogVerifier(directory: dir.path, deep: true).verify()
        #expect(report.ok)
        #expect(report.sealedSegments == 2)
        #expect(report.events == 9)
    }

    @Test func aSegmentIsSealedBeforeABatchWouldTakeItPastTheSizeLimit() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var config = LogConfiguration()
        config.segmentMaxBytes = 4096
        let writer = try LogWriter(directory: dir.path, configuration: config, logger: Logger(label: "test"))
        for i in 0..<200 { try writer.append([try event(i)]) }
        writer.close()
        let bases = try LogDirectory.segmentBases(dir.path)
        #expect(bases.count > 3)
        for base in bases {
            let size = try #require(LogDirectory.fileSize(dir.path + "/" + SegmentName.file(base, "seg")))
            #expect(size <= 4096)
        }
        let report = try LogVerifier(directory: dir.path, deep: true).verify()
        #expect(report.ok)
        #expect(report.sealedSegments == bases.count - 1)
        #expect(report.events == 200)
    }
}
