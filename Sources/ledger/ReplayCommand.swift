import ArgumentParser
import LedgerPostgres
import LedgerProjection
import LedgerSQLite

/// `ledger replay postgres --from OFFSET` and `ledger replay sqlite --from 0`: rebuilds that readers
/// never see half done.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild a projection from the log beside the live one, then swap it in (postgres, sqlite).",
        discussion: """
            postgres: the live schema keeps serving reads until one transaction swaps the rebuilt tables in.
            --from 0 rebuilds everything, on two server connections; --from OFFSET keeps the live rows set before OFFSET and replays what follows, on one.
            sqlite: --from 0 only; the file is rebuilt as <db>.rebuild and renamed over the live one.
            The rebuilt tables equal an incremental build. The projector must not run meanwhile (exit 75 if it does).
            Exit codes: 0 ok; 64 bad usage; 65 the checkpoint belongs to another log; 66 no log; 75 locked or server unreachable.
            """
    )

    enum Name: String, CaseIterable, ExpressibleByArgument {
        case postgres
        case sqlite
    }

    @OptionGroup var log: LogOptions
    @OptionGroup var projection: ProjectionOptions
    @OptionGroup var postgres: PostgresOptions

    @Argument(help: ArgumentHelp("The projection: \(Name.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "NAME"))
    var name: Name

    @Option(help: "Replay the events from this offset on (0 rebuilds everything).")
    var from: UInt64

    func validate() throws {
        if name == .sqlite && from != 0 {
            throw ValidationError("a SQLite replay rebuilds from 0 (--from 0)")
        }
    }

    func run() async throws {
        let directory = try log.directory()
        let logger = LogOptions.makeLogger()
        let progress: @Sendable (UInt64, UInt64) -> Void = { [name] offset, head in
            Terminal.progress("replay \(name.rawValue): read offset \(offset) / \(head)")
        }
        let place: String
        let result: ReplayResult
        do {
            switch name {
            case .sqlite:
                place = projection.sqlitePath(logDirectory: directory)
                result = try await SQLiteReplay(path: place, logDirectory: directory, logger: logger).run(progress: progress)
            case .postgres:
                let configuration = try postgres.configuration(for: "replay postgres")
                place = configuration.schema
                result = try await PostgresReplay(configuration: configuration, logDirectory: directory, logger: logger).run(from: from, progress: progress)
            }
        } catch let error as ProjectionError {
            Terminal.endProgress()
            throw ExitStatus.fail(error)
        }
        Terminal.endProgress()
        let seconds = result.phases.reduce(0) { $0 + $1.seconds }
        let rows = AnalyticsSchema.projectedTables.map { "\($0) \(result.rows[$0] ?? 0)" }.joined(separator: ", ")
        Terminal.out("replay \(name.rawValue): offsets \(result.from)..<\(result.checkpoint.nextOffset) · \(result.events) events · \(result.deadLettered) dead letters · swapped into \(place) in \(String(format2: seconds)) s")
        Terminal.out("  rows: \(rows)")
    }
}
