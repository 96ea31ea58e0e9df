import ArgumentParser
import LedgerCore
import LedgerLog
import LedgerSQLite
import Logging

/// What `sync`, `backfill`, `import-csv` and `demo` share: open the log, load the delta state, run a
/// source to its end, save the state, report.
struct SyncRunner {
    let directory: String
    let logger: Logger
    var configuration = SyncConfiguration()
    /// Print the counters when done (`demo` prints its own lines).
    var quiet = false

    /// Runs `source` until caught up, saves the delta state and returns the counters.
    func run(source: any ChangeSource, mapping: SourceMapping, label: String) throws -> SyncCounters {
        let session = try open(source: source, mapping: mapping)
        defer { session.close() }
        return try session.runUntilCaughtUp(label: label)
    }

    /// Opens the log for writing and builds the pipeline; the session holds the writer until closed.
    func open(source: any ChangeSource, mapping: SourceMapping) throws -> SyncSession {
        let writer: LogWriter
        do { writer = try LogWriter(directory: directory, logger: logger) } catch { throw ExitStatus.fail(error) }
        do {
            return SyncSession(runner: self, writer: writer, pipeline: try makePipeline(source: source, mapping: mapping, writer: writer))
        } catch {
            writer.close()
            throw error
        }
    }

    func makePipeline(source: any ChangeSource, mapping: SourceMapping, writer: LogWriter) throws -> SyncPipeline {
        let state = try loadState(writer: writer)
        let deadLetters: DeadLetterStore
        do { deadLetters = try DeadLetterStore(path: DeadLetterStore.defaultPath(logDirectory: directory)) } catch {
            Terminal.error("ledger: dead-letter store: \(error)")
            throw ExitStatus.ioError
        }
        do {
            return try SyncPipeline(source: source, mapping: mapping, writer: writer, deadLetters: deadLetters, state: state,
                                    configuration: configuration, logger: logger)
        } catch { throw Self.fail(error) }
    }

    /// The delta state at the writer's head, from the snapshot if it fits the log.
    func loadState(writer: LogWriter) throws -> DeltaState {
        do {
            let (state, rebuilt) = try DeltaStateSnapshot.load(directory: directory, head: writer.head.nextOffset) { done, total in
                Terminal.progress("reading the log for the delta state: \(done) / \(total) events")
            }
            Terminal.endProgress()
            if rebuilt && state.nextOffset > 0 { logger.info("delta state rebuilt from the log", metadata: ["events": "\(state.nextOffset)"]) }
            return state
        } catch {
            Terminal.endProgress()
            throw ExitStatus.fail(error)
        }
    }

    /// Saves the state snapshot; a failure only costs the next run a replay, so it is a warning.
    func saveState(_ state: DeltaState) {
        do { try DeltaStateSnapshot.save(state, directory: directory) } catch {
            logger.warning("could not save the delta-state snapshot", metadata: ["error": "\(error)"])
        }
    }

    /// Prints a sync error and picks its exit code.
    static func fail(_ e: SyncError) -> ExitCode {
        Terminal.error("ledger: \(e)")
        switch e.code {
        case .source:
            switch e.sourceError?.code {
            case .unavailable?: return ExitStatus.tempFailure
            case .notFound?: return ExitStatus.noInput
            case .limitExceeded?, .badInput?, .badSchema?, nil: return ExitStatus.dataError
            }
        case .mapping: return ExitStatus.dataError
        case .log, .deadLetters: return ExitStatus.ioError
        case .state: return ExitStatus.tempFailure
        }
    }
}

/// An open log and pipeline: `sync --every` keeps one across polls.
final class SyncSession {
    let runner: SyncRunner
    let writer: LogWriter
    let pipeline: SyncPipeline

    init(runner: SyncRunner, writer: LogWriter, pipeline: SyncPipeline) {
        self.runner = runner
        self.writer = writer
        self.pipeline = pipeline
    }

    func runUntilCaughtUp(label: String) throws -> SyncCounters {
        let counters: SyncCounters
        do {
            counters = try pipeline.runUntilCaughtUp { c in
                Terminal.progress("\(label): \(c.processed) changes · \(c.changed) events · \(c.deadLetters) dead letters")
            }
            Terminal.endProgress()
        } catch {
            Terminal.endProgress()
            throw SyncRunner.fail(error)
        }
        if !runner.quiet { Terminal.out("\(label): \(counters.summary)") }
        return counters
    }

    /// Saves the delta state and releases the log.
    func close() {
        runner.saveState(pipeline.state)
        writer.close()
    }
}
