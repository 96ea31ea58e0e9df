import LedgerLog
import LedgerTestKit
import Testing

/// Damaged, truncated and deleted index files and HEAD (SPEC §7, §8): the verifier names the file, readers
/// do not trust what does not check out, and opening a writer rebuilds the active segment's indexes.
@Suite struct IndexDamageTests {
    enum Damage: CustomStringConvertible {
        case flip(Int)
        case truncate(Int)
        case delete

        var description: String {
            switch self {
            case .flip(let p): "byte \(p) flipped"
            case .truncate(let n): "truncated to \(n) bytes"
            case .delete: "deleted"
            }
        }
    }

    struct Case: CustomStringConvertible {
        var file: String
        var damage: Damage
        /// Whether the verifier must report it: every flipped or partly truncated byte. A file that lost
        /// whole trailing entries, or is gone, still describes the log correctly as far as it goes.
        var mustBeReported: Bool
        var description: String { "\(file) \(damage)" }
    }

    static func configuration(keyRunSize: Int) -> LogConfiguration {
        var c = SampleLog.configuration
        c.indexIntervalBytes = 1   // an offset/time entry for every batch
        c.keyRunSize = keyRunSize
        return c
    }

    static func cases(directory: String, files: [String]) -> [Case] {
        var out: [Case] = []
        for file in files {
            guard let size = TestFiles.size(directory + "/" + file) else { continue }
            let entrySize = file.hasSuffix(".oix") ? 8 : file.hasSuffix(".tix") ? 12 : file.hasSuffix(".kjl") ? KeyIndex.entrySize : 0
            let flips = Set([0, 4, 5, 8, 12, 15, 16, 17, 20, 24, 28, 31, 40, 47, size / 2, size - 5, size - 1]).filter { $0 < size }.sorted()
            out += flips.map { Case(file: file, damage: .flip($0), mustBeReported: true) }
            out += Set([0, 10, size - 1]).filter { $0 < size }.sorted().map { Case(file: file, damage: .truncate($0), mustBeReported: true) }
            if entrySize > 0 && size >= 16 + entrySize {
                out.append(Case(file: file, damage: .truncate(size - entrySize), mustBeReported: false))
            }
            out.append(Case(file: file, damage: .delete, mustBeReported: false))
        }
        return out
    }

    static func apply(_ c: Case, in directory: String) throws {
        let path = directory + "/" + c.file
        switch c.damage {
        case .flip(let p): try TestFiles.flip(path, at: p)
        case .truncate(let n): try TestFiles.truncate(path, to: n)
        case .delete: TestFiles.remove(path)
        }
    }

    static func expectTrailsAreCorrect(_ log: SampleLog, directory: String, context: String) throws {
        let reader = try LogReader(directory: directory)
        var expected: [[UInt8]: [UInt64]] = [:]
        for (i, e) in log.events.enumerated() { expected[recordKeyBytes(e), default: []].append(UInt64(i)) }
        for (_, offsets) in expected {
            let e = log.events[Int(offsets[0])]
            let trail = try reader.trail(entity: e.entity, canonicalKey: EventIdentity.canonicalKey(of: e))
            #expect(trail.map(\.offset) == offsets, "\(context): trail of \(e.entity) \(EventIdentity.canonicalKey(of: e))")
        }
    }

    static func expectReported(_ c: Case, in report: VerifyReport) {
        let named = report.indexProblems.contains { $0.file == c.file } || report.problem?.file == c.file
        #expect(named, "\(c): verify reported \(String(describing: report.problem)) \(report.indexProblems)")
        if c.file != "HEAD" {
            #expect(report.problem == nil, "\(c): index damage is not damage of the log: \(String(describing: report.problem))")
        }
    }


    /// keyRunSize 6 leaves the active segment with one key run and a journal; 65,536 (the default) with a journal only.
    @Test(arguments: ["oix", "tix", "kix", "kjl", "HEAD"], [6, 65_536])
    func damageToTheActiveSegmentsIndexesAndHEADIsReportedAndRepairedByTheNextWriter(file: String, keyRunSize: Int) throws {
        let fixture = try SampleLogFixture(prefix: "ledger-index", configuration: Self.configuration(keyRunSize: keyRunSize))
        defer { fixture.root.remove() }
        let pristineReport = try LogVerifier(directory: fixture.pristine, deep: true).verify()
        try #require(pristineReport.ok, "\(pristineReport.indexProblems)")
        let name = file == "HEAD" ? file : String(fixture.layouts[1].name.prefix(20)) + "." + file
        for c in Self.cases(directory: fixture.pristine, files: [name]) {
            let dir = try fixture.copy()
            defer { TestFiles.removeDirectory(dir) }
            try Self.apply(c, in: dir)
            let context = "keyRunSize \(keyRunSize): \(c)"
            let report = try LogVerifier(directory: dir, deep: true).verify()
            if c.mustBeReported { Self.expectReported(c, in: report) }
            if file == "oix" || file == "tix" || file == "HEAD" {
                // readers check every offset-index entry against the segment, and HEAD by its CRC
                #expect(try readAll(dir).map { EventFingerprint.of($0) } == fixture.log.events.map { EventFingerprint.of($0) }, "\(context)")
                try Self.expectTrailsAreCorrect(fixture.log, directory: dir, context: context)
            }

            let writer = try LogWriter(directory: dir, configuration: Self.configuration(keyRunSize: keyRunSize), logger: testLogger())
            writer.close()
            let repaired = try LogVerifier(directory: dir, deep: true).verify()
            #expect(repaired.ok, "\(context): after reopening: \(String(describing: repaired.problem)) \(repaired.indexProblems)")
            #expect(repaired.events == UInt64(fixture.log.events.count))
            #expect(HeadRecord.read(directory: dir) == fixture.log.head, "\(context): HEAD after reopening")
            #expect(TestFiles.exists(dir + "/" + name), "\(context): not rebuilt")
            try Self.expectTrailsAreCorrect(fixture.log, directory: dir, context: context + " after reopening")
        }
    }

    @Test(arguments: ["oix", "tix", "kix"])
    func damageToASealedSegmentsIndexesIsReportedAndReadersStayCorrect(file: String) throws {
        let fixture = try SampleLogFixture(prefix: "ledger-index", configuration: Self.configuration(keyRunSize: 6))
        defer { fixture.root.remove() }
        for c in Self.cases(directory: fixture.pristine, files: [String(fixture.layouts[0].name.prefix(20)) + "." + file]) {
            let dir = try fixture.copy()
            defer { TestFiles.removeDirectory(dir) }
            try Self.apply(c, in: dir)
            let report = try LogVerifier(directory: dir, deep: true).verify()
            if c.mustBeReported { Self.expectReported(c, in: report) }
            if !c.file.hasSuffix("kix") {
                #expect(try readAll(dir).map { EventFingerprint.of($0) } == fixture.log.events.map { EventFingerprint.of($0) }, "\(c)")
                try Self.expectTrailsAreCorrect(fixture.log, directory: dir, context: "\(c)")
            }
        }
    }

    /// SPEC §1: "Every other file can be deleted and is rebuilt by the next writer" — also those of sealed segments.
    @Test(arguments: ["oix", "tix", "kix"])
    func theNextWriterRebuildsASealedSegmentsDeletedIndex(ext: String) throws {
        let fixture = try SampleLogFixture(prefix: "ledger-index", configuration: Self.configuration(keyRunSize: 6))
        defer { fixture.root.remove() }
        let name = String(fixture.layouts[0].name.prefix(20)) + "." + ext
        let dir = try fixture.copy()
        TestFiles.remove(dir + "/" + name)
        let writer = try LogWriter(directory: dir, configuration: Self.configuration(keyRunSize: 6), logger: testLogger())
        writer.close()
        #expect(TestFiles.size(dir + "/" + name) == TestFiles.size(fixture.pristine + "/" + name), "\(name) was not rebuilt")
        let report = try LogVerifier(directory: dir, deep: true).verify()
        #expect(report.ok, "\(report.indexProblems)")
    }
}
