import ArgumentParser
import LedgerLog
import LedgerPostgres
import LedgerProjection
import LedgerSQLite
import Logging
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Replay the log into a projection, then follow it (sqlite, postgres).",
        discussion: """
            Projectors: sqlite (products, receipts, sales, also_bought in one SQLite file, default <log>/analytics.sqlite);
            postgres (the same tables in a Postgres schema, default analytics; DSN from --dsn or PG_DSN; pending migrations are applied first).
            A projector always resumes from the checkpoint stored in its target (--from-checkpoint says so explicitly): the checkpoint
            commits with each batch's effects, so a killed projector resumes where its last commit ended.
            A SQLite file that does not exist yet is first built in bulk when the log holds 50,000 events or more
            (as `ledger replay sqlite` does). A second instance on the same target exits with status 75.
            Without --once it follows the log until SIGINT or SIGTERM.
            """
    )

    /// The projectors this build knows.
    enum Name: String, CaseIterable, ExpressibleByArgument {
        case sqlite
        case postgres
    }

    @OptionGroup var log: LogOptions
    @OptionGroup var projection: ProjectionOptions
    @OptionGroup var postgres: PostgresOptions

    @Argument(help: ArgumentHelp("The projector: \(Name.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "NAME"))
    var name: String

    @Flag(help: "Project up to the current head, then exit.")
    var once = false

    @Flag(help: "Resume from the checkpoint stored in the target (the default; a rebuild is `ledger replay`).")
    var fromCheckpoint = false

    @Option(help: "Events per batch (one transaction).")
    var batchSize = ProjectorConfiguration().batchSize

    func validate() throws {
        guard Name(rawValue: name) != nil else {
            throw ValidationError("unknown projector \"\(name)\"; known: \(Name.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    /// A SQLite projection that does not exist yet is first built in bulk (``SQLiteReplay``, about
    /// 2.5 times faster than batch by batch) when the log holds at least `bulkThreshold` events.
    private func buildInBulkIfNew(directory: String, logger: Logger) async throws {
        let path = projection.sqlitePath(logDirectory: directory)
        guard Name(rawValue: name) == .sqlite, access(path, F_OK) != 0,
              let head = try? LogReader(directory: directory).head(), head.nextOffset >= Self.bulkThreshold else { return }
        do {
            let result = try await SQLiteReplay(path: path, logDirectory: directory, logger: logger).run { offset, head in
                Terminal.progress("project sqlite: building in bulk, read offset \(offset) / \(head)")
            }
            Terminal.endProgress()
            Terminal.out("sqlite: built in bulk up to offset \(result.checkpoint.nextOffset) · \(result.events) events · \(result.deadLettered) dead letters")
        } catch {
            Terminal.endProgress()
            throw ExitStatus.fail(error)
        }
    }

    static let bulkThreshold: UInt64 = 50_000

    func run() async throws {
        let directory = try log.directory()
        let logger = LogOptions.makeLogger()
        try await buildInBulkIfNew(directory: directory, logger: logger)
        let target: any ProjectionTarget
        do {
            switch Name(rawValue: name)! {
            case .sqlite: target = try SQLiteAnalyticsTarget(path: projection.sqlitePath(logDirectory: directory))
            case .postgres: target = PostgresAnalyticsTarget(configuration: try postgres.configuration(for: "project postgres"), logger: logger)
            }
        } catch let error as ProjectionError { throw ExitStatus.fail(error) }
        var configuration = ProjectorConfiguration()
        configuration.batchSize = batchSize

        if once {
            var runner = ProjectionRunner(directory: directory, logger: logger)
            runner.configuration = configuration
            do {
                let (checkpoint, totals) = try await runner.runOnce(target)
                Terminal.out("\(name): at offset \(checkpoint.nextOffset) · \(totals.applied) applied · \(totals.deadLettered) dead letters · \(totals.ignored) ignored")
            } catch { throw ExitStatus.fail(error) }
            return
        }
        let service = ProjectorService(logDirectory: directory, target: target, configuration: configuration, logger: logger) { p in
            Terminal.progress("project \(p.projector): offset \(p.checkpoint.nextOffset) / \(p.head) · \(p.totals.applied) applied · \(p.totals.deadLettered) dead letters")
        }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as ProjectionError {
            Terminal.endProgress()
            throw ExitStatus.fail(error)
        }
        Terminal.endProgress()
    }
}
