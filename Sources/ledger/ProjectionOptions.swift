import ArgumentParser
import LedgerSQLite

/// `--db PATH`: the SQLite analytics projection (default `<log>/analytics.sqlite`).
struct ProjectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The SQLite projection file (default: <log>/analytics.sqlite).", valueName: "PATH"))
    var db: String?

    func sqlitePath(logDirectory: String) -> String { db ?? SQLiteAnalyticsTarget.defaultPath(logDirectory: logDirectory) }
}
