import ArgumentParser
import LedgerLog

struct ReindexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild every index file from the segments (after `verify` reports index damage)."
    )

    @OptionGroup var options: LogOptions

    func run() throws {
        let directory = try options.directory()
        do {
            // Opening the writer repairs the active segment's indexes, HEAD and missing sealed indexes.
            let writer = try LogWriter(directory: directory, logger: LogOptions.makeLogger())
            defer { writer.close() }
            try writer.rebuildSealedIndexes()
            Terminal.out("reindexed: head offset \(writer.head.nextOffset == 0 ? "none" : String(writer.head.nextOffset - 1))")
        } catch {
            throw ExitStatus.fail(error)
        }
    }
}
