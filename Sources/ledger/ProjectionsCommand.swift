import ArgumentParser
import LedgerLog
import LedgerPostgres
import LedgerProjection
import LedgerSQLite

#if canImport(Glibc)
import Glibc
#endif

struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "List each projector with its checkpoint and lag behind the log.",
        discussion: "The SQLite projection is always listed; the Postgres one when --dsn or PG_DSN is given."
    )

    @OptionGroup var log: LogOptions
    @OptionGroup var projection: ProjectionOptions
    @OptionGroup var postgres: PostgresOptions

    func run() async throws {
        let directory = try log.directory()
        let reader: LogReader
        do { reader = try LogReader(directory: directory) } catch { throw ExitStatus.fail(error) }
        let path = projection.sqlitePath(logDirectory: directory)
        do {
            if access(path, F_OK) != 0 {
                Terminal.out("sqlite\tnot projected (\(path) does not exist)")
            } else {
                let checkpoints = try SQLiteAnalytics(path: path).checkpoints()
                if checkpoints.isEmpty { Terminal.out("sqlite\tnot projected yet (\(path))") }
                for (name, checkpoint) in checkpoints { try show(name, checkpoint, reader: reader, place: path) }
            }
            guard postgres.isGiven else { return }
            let configuration = try postgres.configuration(for: "projections")
            let analytics = try await PostgresAnalytics.connect(configuration, logger: LogOptions.makeLogger())
            do {
                if try await analytics.exists() {
                    let checkpoints = try await analytics.checkpoints()
                    if checkpoints.isEmpty { Terminal.out("postgres\tnot projected yet (\(configuration))") }
                    for (name, checkpoint) in checkpoints { try show(name, checkpoint, reader: reader, place: "\(configuration)") }
                } else {
                    Terminal.out("postgres\tnot projected (\(configuration) has no schema \(configuration.schema))")
                }
            } catch {
                await analytics.close()
                throw error
            }
            await analytics.close()
        } catch let error as ProjectionError { throw ExitStatus.fail(error) }
    }

    private func show(_ name: String, _ checkpoint: ProjectionCheckpoint, reader: LogReader, place: String) throws(ProjectionError) {
        let s = try ProjectionStatus.read(projector: name, checkpoint: checkpoint, reader: reader)
        let ms = Int64((s.lagSeconds * 1000).rounded())
        Terminal.out("\(name)\toffset \(checkpoint.nextOffset)\thead \(s.head.nextOffset)\tlag \(s.lagEvents) events, \(ms) ms\t\(place)")
    }
}
