import Foundation
import LedgerLog
import LedgerTestKit
import Testing

/// The committed test vectors in log-format/vectors stay readable, and ledger still writes them identically.
@Suite struct FormatVectorTests {
    let vectorDirectory = PackagePaths.root() + "/log-format/vectors/tiny"
    let expectedJSONL = PackagePaths.root() + "/log-format/vectors/tiny.jsonl"

    func readAll(_ directory: String) throws -> [String] {
        let cursor = try LogReader(directory: directory).cursor(from: 0)
        var lines: [String] = []
        while let e = try cursor.next() { lines.append(e.jsonLine) }
        return lines
    }

    @Test func writingTheVectorAgainGivesTheSameEventsAndHashes() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try FormatVector.write(to: dir.path)
        let lines = try readAll(dir.path)
        if ProcessInfo.processInfo.environment["LEDGER_WRITE_VECTORS"] == "1" {
            try? FileManager.default.removeItem(atPath: vectorDirectory)
            try FileManager.default.createDirectory(atPath: vectorDirectory, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name != "LOCK" {
                try FileManager.default.copyItem(atPath: dir.path + "/" + name, toPath: vectorDirectory + "/" + name)
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: expectedJSONL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: expectedJSONL, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == expected)
        #expect(lines.count == 7)
    }

    @Test func theCommittedVectorDecodesToTheCommittedJSON() throws {
        let expected = try String(contentsOfFile: expectedJSONL, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(try readAll(vectorDirectory) == expected)
        let report = try LogVerifier(directory: vectorDirectory, deep: true).verify()
        #expect(report.ok)
        #expect(report.events == 7)
        #expect(report.segments == 2)
        #expect(report.sealedSegments == 1)
    }

    @Test func theCommittedVectorSegmentsAreByteIdenticalToANewWrite() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try FormatVector.write(to: dir.path)
        for name in try FileManager.default.contentsOfDirectory(atPath: vectorDirectory) where name.hasSuffix(".seg") {
            let committed = try Data(contentsOf: URL(fileURLWithPath: vectorDirectory + "/" + name))
            let fresh = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/" + name))
            #expect(committed == fresh, "\(name) differs from a fresh write")
        }
    }
}
