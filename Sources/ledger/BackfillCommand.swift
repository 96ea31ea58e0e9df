import ArgumentParser
import LedgerCore
import LedgerLog
import LedgerSources

#if canImport(Glibc)
import Glibc
#endif

struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Backfill a point-of-sale source into the log: every row, or those changed in the last N days.",
        discussion: """
            Like `ledger sync --once`, but a fresh source's backfill may be limited with --days N to the rows \
            whose change-log entries (inserts and updates) are at most N days old, in the source's time zone. \
            It streams, commits a checkpoint with each batch, and resumes after a crash; once the backfill \
            is done it catches up with the change log. --days only shapes a backfill that has not started: \
            on a log that already holds this source's position the run resumes from it (and says so).
            """
    )

    @OptionGroup var log: LogOptions
    @OptionGroup var source: SourceOptions

    @Option(help: ArgumentHelp("Only rows changed in the last N days (default: every row).", valueName: "N"))
    var days: Int?

    @Option(help: "Changes per fetch and commit.")
    var batchSize: Int?

    func validate() throws {
        if let days, days <= 0 { throw ValidationError("--days must be a positive number of days") }
        if let batchSize, batchSize <= 0 { throw ValidationError("--batch-size must be positive") }
    }

    func run() async throws {
        let directory = try log.directory()
        let logger = LogOptions.makeLogger()
        let settings = try source.resolve()
        let mapping = try settings.sourceMapping()
        var options = POSChangeLogSource.Options(backfillDays: days)
        if days != nil {
            let zone: SourceTimeZone
            do { zone = try SourceTimeZone(mapping.timeZone) } catch {
                Terminal.error("ledger: \(error)")
                throw ExitStatus.dataError
            }
            // change_time is the POS server's wall clock; its offset now is close enough for a day window.
            let now = Int64(time(nil))
            options.changeTimeUTCOffsetSeconds = zone.offset(forLocal: now + zone.offset(forLocal: now))
        }
        let changeSource = try SourceFactory.make(settings, mapping: mapping, options: options, logger: logger)
        var runner = SyncRunner(directory: directory, logger: logger)
        if let b = batchSize ?? settings.batchSize { runner.configuration.batchSize = b }
        let session = try runner.open(source: changeSource, mapping: mapping)
        defer { session.close() }
        if days != nil, let cursor = session.pipeline.state.cursors[settings.name], cursor["phase"] != nil {
            Terminal.out("backfill \(settings.name): the log already holds this source's position (phase \(cursor["phase"]!)); resuming from it, --days does not apply")
        }
        _ = try session.runUntilCaughtUp(label: "backfill \(settings.name)")
    }
}
