import Foundation
import LedgerLog
import LedgerTestKit
import Logging
import Testing

/// The `ledger` executable: append, tail, audit, verify, stats, exit codes and error messages.
@Suite(.serialized) struct CLITests {
    let binary = PackagePaths.ledgerBinary()

    func ledger(_ arguments: [String], input: String? = nil) throws -> Command.Result {
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the ledger executable first (swift build)")
        return try Command.run([binary] + arguments, input: input)
    }

    let rows = (1...5).map { #"{"sale_id":"\#($0)","qty":\#($0),"total":"\#($0)0.50","note":"é ✓"}"# }.joined(separator: "\n") + "\n"

    @Test func appendingTheSameRowsTwiceAppendsNothingTheSecondTime() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let first = try ledger(["append", "--log", dir.path, "--entity", "sales", "--key", "sale_id"], input: rows)
        #expect(first.status == 0)
        #expect(first.output == "appended 5, unchanged 0\n")
        let second = try ledger(["append", "--log", dir.path, "--entity", "sales", "--key", "sale_id"], input: rows)
        #expect(second.output == "appended 0, unchanged 5\n")
        let changed = try ledger(["append", "--log", dir.path, "--entity", "sales", "--key", "sale_id"],
                                 input: #"{"sale_id":"3","qty":3,"total":"99.00","note":"é ✓"}"# + "\n")
        #expect(changed.output == "appended 1, unchanged 0\n")
        let deleted = try ledger(["append", "--log", dir.path, "--entity", "sales", "--key", "sale_id", "--delete"],
                                 input: #"{"sale_id":"4"}"# + "\n")
        #expect(deleted.output == "appended 1, unchanged 0\n")
        let again = try ledger(["append", "--log", dir.path, "--entity", "sales", "--key", "sale_id", "--delete"],
                               input: #"{"sale_id":"4"}"# + "\n")
        #expect(again.output == "appended 0, unchanged 1\n")

        let tail = try ledger(["tail", "--log", dir.path])
        let lines = tail.output.split(separator: "\n")
        #expect(lines.count == 7)
        #expect(lines[0].hasPrefix(#"{"offset":0,"#))
        #expect(lines[5].contains(#""op":"upsert","key":{"sale_id":"3"}"#))
        #expect(lines[5].contains(#""total":"99.00""#))
        #expect(lines[6].contains(#""op":"delete""#))

        let one = try ledger(["tail", "--log", dir.path, "--entity", "sales", "--key", "3", "--format", "table"])
        let tableLines = one.output.split(separator: "\n")
        #expect(tableLines.count == 3)   // header and the two events of sale 3
        #expect(tableLines[0].hasPrefix("OFFSET"))
        #expect(tableLines[2].hasPrefix("5 "))

        let audit = try ledger(["audit", "--log", dir.path, "sales", "3"])
        #expect(audit.status == 0)
        #expect(audit.output.contains("#2 "))
        #expect(audit.output.contains("#5 "))
        #expect(audit.output.contains(#"total: "30.50" → "99.00""#))
        #expect(audit.output.contains("previous event of this record: #2"))
        let byName = try ledger(["audit", "--log", dir.path, "sales", "sale_id=3", "--json"])
        #expect(byName.output.split(separator: "\n").count == 2)

        let verify = try ledger(["verify", "--log", dir.path])
        #expect(verify.status == 0)
        #expect(verify.output.hasPrefix("ok: 7 events in 1 segment(s)"))
        let stats = try ledger(["stats", "--log", dir.path])
        #expect(stats.output.contains("events          7\n"))
    }

    @Test func aMalformedLineStopsTheRunAfterCommittingTheLinesBeforeIt() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let input = #"{"sale_id":"1"}"# + "\n" + #"{"sale_id":"2"}"# + "\n" + #"{"sale_id":"#+"\n" + #"{"sale_id":"4"}"# + "\n"
        let r = try ledger(["append", "--log", dir.path, "--entity", "sales", "--key", "sale_id"], input: input)
        #expect(r.status == 65)
        #expect(r.error.contains("stdin:3: invalid JSON"))
        #expect(r.output == "appended 2, unchanged 0\n")
        let nullKey = try ledger(["append", "--log", dir.path, "--entity", "sales", "--key", "sale_id"], input: #"{"sale_id":null}"# + "\n")
        #expect(nullKey.status == 65)
        #expect(nullKey.error.contains("stdin:1: field sale_id: key field is null"))
        let verify = try ledger(["verify", "--log", dir.path])
        #expect(verify.output.hasPrefix("ok: 2 events"))
    }

    @Test func badFlagsAndMissingLogsGetClearErrorsAndExitCodes() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let since = try ledger(["tail", "--log", dir.path, "--since", "yesterday"])
        #expect(since.status == 64)
        #expect(since.error.contains("--since"))
        let noKey = try ledger(["append", "--log", dir.path, "--entity", "sales", "--key", ""], input: "")
        #expect(noKey.status == 64)
        let missing = try ledger(["verify", "--log", dir.path + "/nothing-here"])
        #expect(missing.status == 66)
        #expect(missing.error.contains("nothing-here"))
    }

    @Test func aSecondWriterIsRefusedWithExitCode75() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try LogWriter(directory: dir.path, logger: Logger(label: "test"))
        defer { writer.close() }
        let r = try ledger(["append", "--log", dir.path, "--entity", "sales", "--key", "sale_id"], input: rows)
        #expect(r.status == 75)
        #expect(r.error.contains("already open for writing by process \(getpid())"))
    }

    @Test func verifyNamesTheDamagedSegmentAndByteAndExitsOne() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        for i in 0..<3 {
            let batch = (0..<50).map { #"{"sale_id":"\#(i)-\#($0)","v":\#($0)}"# }.joined(separator: "\n") + "\n"
            _ = try ledger(["append", "--log", dir.path, "--entity", "sales", "--key", "sale_id"], input: batch)
        }
        let segment = dir.path + "/" + SegmentName.file(0, "seg")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        let position = SegmentHeader.size + 100   // inside the first batch's payload
        bytes[position] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: segment))
        let r = try ledger(["verify", "--log", dir.path])
        #expect(r.status == 1)
        #expect(r.error.contains("00000000000000000000.seg at byte \(SegmentHeader.size)"))
        #expect(r.error.contains("batch CRC mismatch"))
        let tail = try ledger(["tail", "--log", dir.path])
        #expect(tail.status == 1)
        #expect(tail.error.contains("00000000000000000000.seg at byte \(SegmentHeader.size)"))
    }

    @Test func reindexRepairsADamagedSealedKeyIndexThatVerifyReported() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var config = LogConfiguration()
        config.segmentMaxBytes = 8192
        let writer = try LogWriter(directory: dir.path, configuration: config, logger: Logger(label: "test"))
        for i in 0..<300 {
            try writer.append([try NewEvent(source: "t", entity: "items", keyFields: ["id"],
                                            fields: [Field("id", .integer(Int64(i))), Field("name", .string("item \(i)"))])])
        }
        writer.close()
        let kix = dir.path + "/" + SegmentName.file(0, "kix")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: kix))
        bytes[bytes.count - 10] ^= 0x55   // an entry of the sealed segment's run
        try bytes.write(to: URL(fileURLWithPath: kix))
        let damaged = try ledger(["verify", "--log", dir.path])
        #expect(damaged.status == 1)
        #expect(damaged.error.contains("index: damaged: key index run is damaged"))
        #expect(damaged.error.contains(SegmentName.file(0, "kix")))
        let reindex = try ledger(["reindex", "--log", dir.path])
        #expect(reindex.status == 0)
        #expect(reindex.output == "reindexed: head offset 299\n")
        let repaired = try ledger(["verify", "--log", dir.path, "--deep"])
        #expect(repaired.status == 0, "\(repaired.error)")
        let audit = try ledger(["audit", "--log", dir.path, "items", "id=7", "--json"])
        #expect(audit.output.split(separator: "\n").count == 1)
    }

    @Test func tailFollowPrintsANewCommitWithoutBeingRestarted() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try LogWriter(directory: dir.path, logger: Logger(label: "test"))
        defer { writer.close() }
        try writer.append([try NewEvent(source: "t", entity: "e", keyFields: ["id"], fields: [Field("id", .integer(0))])])
        let child = try ChildProcess(executable: binary, arguments: ["tail", "--log", dir.path, "-f"],
                                     standardErrorPath: dir.path + "/tail.err")
        defer { child.sendSignal(SIGKILL); _ = child.waitForExit() }
        usleep(300_000)   // let it reach the head
        try writer.append([try NewEvent(source: "t", entity: "e", keyFields: ["id"], fields: [Field("id", .integer(1))])])
        let line = child.readLine(timeoutMilliseconds: 5000)
        guard case .line(let text) = line else {
            Issue.record("no line from tail -f: \(line)")
            return
        }
        #expect(text.hasPrefix(#"{"offset":1,"#))
    }
}
