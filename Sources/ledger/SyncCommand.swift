import ArgumentParser
import LedgerCore
import LedgerLog
import Logging
import ServiceLifecycle
import UnixSignals

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync a point-of-sale source into the log: backfill first, then its change log.",
        discussion: """
            Each fetch is committed with a checkpoint of the source's position, so a run that is killed
            resumes exactly where the last commit ended, and running it again appends nothing new.
            Rows that cannot be normalized go to the dead letters (`ledger dead-letters list`).
            With --every the command keeps polling until SIGINT or SIGTERM, finishing the fetch at hand.
            """
    )

    @OptionGroup var log: LogOptions
    @OptionGroup var source: SourceOptions

    @Flag(help: "Sync until caught up, then exit (the default).")
    var once = false

    @Option(help: ArgumentHelp("Keep polling, this long between polls: 500ms, 5s, 1m.", valueName: "DURATION"))
    var every: String?

    @Option(help: "Changes per fetch and commit.")
    var batchSize: Int?

    func validate() throws {
        if once && every != nil { throw ValidationError("use either --once or --every, not both") }
        if let every, PollInterval.parse(every) == nil { throw ValidationError("--every: \"\(every)\" is not a duration such as 500ms, 5s or 1m") }
        if let batchSize, batchSize <= 0 { throw ValidationError("--batch-size must be positive") }
    }

    func run() async throws {
        let directory = try log.directory()
        let logger = LogOptions.makeLogger()
        let settings = try source.resolve()
        let mapping = try settings.sourceMapping()
        let changeSource = try SourceFactory.make(settings, mapping: mapping, logger: logger)
        var runner = SyncRunner(directory: directory, logger: logger)
        if let b = batchSize ?? settings.batchSize { runner.configuration.batchSize = b }
        guard let every, let interval = PollInterval.parse(every) else {
            _ = try runner.run(source: changeSource, mapping: mapping, label: "sync \(settings.name)")
            return
        }
        let session = try runner.open(source: changeSource, mapping: mapping)
        let service = SyncService(session: UncheckedBox(session), interval: interval, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// `500ms`, `5s`, `2m`, `1h`.
enum PollInterval {
    static func parse(_ s: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (u, ms) in units where s.hasSuffix(u) {
            guard let n = Int64(s.dropLast(u.count)), n > 0 else { return nil }
            return .milliseconds(n * ms)
        }
        return nil
    }
}

/// `ledger sync --every`: polls the source until graceful shutdown; a fetch in progress is finished
/// and committed first, and the delta state is saved on the way out.
struct SyncService: Service {
    let session: UncheckedBox<SyncSession>
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let session = session.value
        defer { session.close() }
        try await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully {
                _ = try session.runUntilCaughtUp(label: "sync \(session.pipeline.source.name)")
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            }
        } onGracefulShutdown: { [logger] in
            logger.info("shutting down after the current fetch")
        }
    }
}

/// Carries a non-Sendable value into the service's task; only that task uses it.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
