import ArgumentParser
import LedgerLog
import LedgerProjection
import LedgerSQLite

#if canImport(Glibc)
import Glibc
#endif

struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "List each projector with its checkpoint and lag behind the log."
    )

    @OptionGroup var log: LogOptions
    @OptionGroup var projection: ProjectionOptions

    func run() async throws {
        let directory = try log.directory()
        let reader: LogReader
        do { reader = try LogReader(directory: directory) } catch { throw ExitStatus.fail(error) }
        let path = projection.sqlitePath(logDirectory: directory)
        guard access(path, F_OK) == 0 else {
            Terminal.out("sqlite\tnot projected (\(path) does not exist)")
            return
        }
        do {
            let analytics = try SQLiteAnalytics(path: path)
            let checkpoints = try analytics.checkpoints()
            if checkpoints.isEmpty { Terminal.out("sqlite\tnot projected yet (\(path))") }
            for (name, checkpoint) in checkpoints {
                let s = try ProjectionStatus.read(projector: name, checkpoint: checkpoint, reader: reader)
                let ms = Int64((s.lagSeconds * 1000).rounded())
                Terminal.out("\(name)\toffset \(checkpoint.nextOffset)\thead \(s.head.nextOffset)\tlag \(s.lagEvents) events, \(ms) ms\t\(path)")
            }
        } catch { throw ExitStatus.fail(error) }
    }
}
