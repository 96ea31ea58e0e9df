import Foundation
import LedgerLog
import LedgerTestKit
import Logging
import Testing

/// tools/ledger-read, written from log-format/SPEC.md alone, agrees with ledger event for event.
@Suite struct IndependentReaderTests {
    let root = PackagePaths.root()

    func run(_ arguments: [String]) throws -> Command.Result { try Command.run(arguments) }

    func swiftLines(_ directory: String) throws -> [String] {
        let cursor = try LogReader(directory: directory).cursor(from: 0)
        var lines: [String] = []
        while let e = try cursor.next() { lines.append(e.jsonLine) }
        return lines
    }

    func pythonLines(_ directory: String) throws -> [String] {
        let r = try run(["python3", root + "/tools/ledger-read", "--verify", directory])
        #expect(r.status == 0, "ledger-read failed: \(r.error)")
        return r.output.split(separator: "\n").map(String.init)
    }

    @Test func agreesOnTheFormatVector() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try FormatVector.write(to: dir.path)
        #expect(try pythonLines(dir.path) == swiftLines(dir.path))
    }

    @Test func agreesOnALogBuiltFromTheSharedPOSWorkload() throws {
        let work = TemporaryDirectory("ledger-pos")
        defer { work.remove() }
        let gen = try run(["python3", root + "/../shared/gen_pos.py", work.path + "/pos", "--products", "200",
                           "--receipts", "1500", "--sales", "6000"])
        #expect(gen.status == 0, "gen_pos.py failed: \(gen.error)")
        let logDir = work.path + "/log"
        var config = LogConfiguration()
        config.segmentMaxBytes = 96 << 10   // several sealed segments
        config.maxBatchEvents = 500
        let writer = try LogWriter(directory: logDir, configuration: config, logger: Logger(label: "test"))
        var total = 0
        for (entity, key) in [("products", "product_id"), ("receipts", "receipt_id"), ("sales", "sale_id")] {
            let rows = try CSVFile.rows(path: work.path + "/pos/\(entity).csv")
            var batch: [NewEvent] = []
            for row in rows where !(row[key] ?? "").isEmpty {
                batch.append(try NewEvent(source: "gen_pos", entity: entity, keyFields: [key],
                                          fields: row.map { Field($0.key, $0.value.isEmpty ? .null : .string($0.value)) }))
                if batch.count == 700 { try writer.append(batch); total += batch.count; batch.removeAll() }
            }
            try writer.append(batch)
            total += batch.count
        }
        writer.close()
        let swift = try swiftLines(logDir)
        #expect(swift.count == total)
        #expect(total > 7000)
        let python = try pythonLines(logDir)
        #expect(python.count == swift.count)
        for (i, (p, s)) in zip(python, swift).enumerated() where p != s {
            Issue.record("event \(i) differs:\nledger-read: \(p)\nledger:      \(s)")
            break
        }
        let report = try LogVerifier(directory: logDir).verify()
        #expect(report.ok)
        #expect(report.sealedSegments >= 2)
    }
}
