import ArgumentParser
import LedgerLog

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-check every CRC, offset, the whole hash chain, the stored Merkle roots and indexes; print the head.",
        discussion: """
            Every batch is decompressed and its events re-hashed, on all cores; each stored chain head \
            (batch headers, segment footers, HEAD) must match. A sealed segment's Merkle root is checked \
            as stored: its footer's CRC and its copy in the next segment's header. --deep also recomputes \
            each root from the segment's events, decodes every record and checks every key index entry.
            """
    )

    @OptionGroup var options: LogOptions

    @Flag(help: "Also recompute each sealed segment's Merkle root, decode every record and check every key index entry against its event.")
    var deep = false

    func run() throws {
        let directory = try options.directory()
        let report: VerifyReport
        do {
            var last: UInt64 = 0
            report = try LogVerifier(directory: directory, deep: deep).verify { done, total in
                guard done - last > 8 << 20 || done == total else { return }
                last = done
                Terminal.progress("verified \(done >> 20) / \(total >> 20) MiB")
            }
            Terminal.endProgress()
        } catch {
            Terminal.endProgress()
            throw ExitStatus.fail(error)
        }
        if let torn = report.tornTail { Terminal.error("ledger: note: \(torn)") }
        for p in report.indexProblems { Terminal.error("ledger: index: \(p)") }
        if let problem = report.problem {
            Terminal.error("ledger: verify FAILED after \(report.events) good events: \(problem)")
            throw ExitStatus.verifyFailed
        }
        let headOffset = report.head.nextOffset == 0 ? "none" : String(report.head.nextOffset - 1)
        Terminal.out("ok: \(report.events) events in \(report.segments) segment(s) (\(report.sealedSegments) sealed), head offset \(headOffset), head hash \(report.head.chainHead.hex)")
        if !report.indexProblems.isEmpty {
            Terminal.error("ledger: the events verify but index files are damaged; the next writer open rebuilds them")
            throw ExitStatus.verifyFailed
        }
    }
}
