import ArgumentParser

@main
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "An event-sourced sync ledger: an append-only, hash-chained, LZ4-compressed event log.",
        discussion: "Exit codes: 0 ok; 1 verification failed or the log is damaged; 64 bad usage; 65 bad input data; 66 no such log; 74 I/O error; 75 the log is locked by another writer, or the projection by another projector.",
        subcommands: [DemoCommand.self, SyncCommand.self, BackfillCommand.self, MigrateCommand.self, ProjectCommand.self, ReplayCommand.self, ProjectionsCommand.self, AlsoBoughtCommand.self, ImportCSVCommand.self, DeadLettersCommand.self, AppendCommand.self, TailCommand.self, AuditCommand.self, VerifyCommand.self, StatsCommand.self, ReindexCommand.self]
    )
}
