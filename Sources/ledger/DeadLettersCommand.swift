import ArgumentParser
import LedgerCore
import LedgerLog
import LedgerSQLite

struct DeadLettersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "Rows that could not be normalized: list them, show one, retry after fixing the mapping.",
        subcommands: [List.self, Show.self, Retry.self],
        defaultSubcommand: List.self
    )

    static func store(_ directory: String) throws -> DeadLetterStore {
        let path = DeadLetterStore.defaultPath(logDirectory: directory)
        guard LogDirectory.exists(path) else {
            Terminal.error("ledger: \(directory) has no dead letters (no \(path))")
            throw ExitStatus.noInput
        }
        do { return try DeadLetterStore(path: path) } catch {
            Terminal.error("ledger: dead-letter store: \(error)")
            throw ExitStatus.ioError
        }
    }

    static func fail(_ e: DeadLetterError) -> ExitCode {
        Terminal.error("ledger: dead-letter store: \(e)")
        return ExitStatus.ioError
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List open dead letters (id, entity, position, layer, field, reason).")

        @OptionGroup var log: LogOptions

        @Option(help: "Only this entity.")
        var entity: String?

        @Flag(help: "Also list resolved ones.")
        var all = false

        @Flag(help: "One JSON object per line.")
        var json = false

        func run() throws {
            let store = try DeadLettersCommand.store(try log.directory())
            let entries: [StoredDeadLetter]
            do { entries = try store.list(status: all ? nil : .open, entity: entity) } catch { throw DeadLettersCommand.fail(error) }
            for e in entries {
                if json {
                    Terminal.out(e.json)
                } else {
                    let l = e.letter
                    let field = l.field.map { " field \($0)" } ?? ""
                    let status = e.status == .open ? "" : " [\(e.status.rawValue)]"
                    Terminal.out("\(e.id)\t\(l.entity)\t\(l.position)\t\(l.layer)\(field): \(l.reason)\(status)")
                }
            }
            if !json { Terminal.error("\(entries.count) dead letter(s)" + (all ? "" : " open")) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one dead letter with its raw row.")

        @OptionGroup var log: LogOptions

        @Argument(help: "The dead letter's id (from `list`).")
        var id: Int64

        func run() throws {
            let store = try DeadLettersCommand.store(try log.directory())
            let entry: StoredDeadLetter?
            do { entry = try store.entry(id: id) } catch { throw DeadLettersCommand.fail(error) }
            guard let e = entry else {
                Terminal.error("ledger: no dead letter \(id)")
                throw ExitStatus.noInput
            }
            let l = e.letter
            Terminal.out("""
                id:        \(e.id)
                status:    \(e.status.rawValue)\(e.resolvedOffset.map { " (event at offset \($0))" } ?? "")
                source:    \(l.source)
                entity:    \(l.entity)
                position:  \(l.position)
                layer:     \(l.layer)
                field:     \(l.field ?? "-")
                reason:    \(l.reason)
                attempts:  \(e.attempts)
                last seen: \(l.seenAt.iso8601)
                raw:       \(l.raw)
                """)
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Normalize open dead letters again (after fixing the mapping) and append those that pass.",
            discussion: "A letter whose record has a newer event in the log is resolved without appending: the log already holds a later version.")

        @OptionGroup var log: LogOptions

        @Argument(help: "Only these ids (default: all open ones).")
        var ids: [Int64] = []

        @Option(help: "Only this entity.")
        var entity: String?

        @Option(help: ArgumentHelp("The (fixed) mapping file; default: the standard POS schema.", valueName: "FILE"))
        var mapping: String?

        @Option(help: ArgumentHelp("The source's time zone for local times.", valueName: "TZ"))
        var timeZone: String?

        func run() throws {
            let directory = try log.directory()
            let logger = LogOptions.makeLogger()
            let store = try DeadLettersCommand.store(directory)
            var settings = SourceSettings()
            settings.mapping = mapping
            settings.timeZone = timeZone
            let sourceMapping = try settings.sourceMapping()
            let runner = SyncRunner(directory: directory, logger: logger)
            let writer: LogWriter
            do { writer = try LogWriter(directory: directory, logger: logger) } catch { throw ExitStatus.fail(error) }
            defer { writer.close() }
            let state = try runner.loadState(writer: writer)
            let outcome: DeadLetterRetry.Outcome
            do {
                let applier = try ChangeApplier(mapping: sourceMapping, writer: writer, state: state)
                outcome = try DeadLetterRetry(store: store, applier: applier).run(
                    ids: ids.isEmpty ? nil : ids, entity: entity, now: Timestamp(microseconds: LogClock.system.now()))
                runner.saveState(applier.state)
            } catch { throw SyncRunner.fail(error) }
            let c = outcome.counters
            Terminal.out("resolved \(outcome.resolved) (new \(c.inserts), updated \(c.updates), deleted \(c.deletes), unchanged \(c.unchanged), superseded \(c.superseded)); still refused \(outcome.stillRefused); not retryable \(outcome.notRetryable)")
            if outcome.stillRefused > 0 { throw ExitStatus.dataError }
        }
    }
}

extension StoredDeadLetter {
    /// One JSON object: id, status, attempts, source, entity, position, layer, field, reason, raw.
    var json: String {
        var o = "{\"id\":\(id),\"status\":"
        JSONText.appendQuoted(status.rawValue, to: &o)
        o += ",\"attempts\":\(attempts),\"source\":"
        JSONText.appendQuoted(letter.source, to: &o)
        o += ",\"entity\":"
        JSONText.appendQuoted(letter.entity, to: &o)
        o += ",\"position\":"
        JSONText.appendQuoted(letter.position.description, to: &o)
        o += ",\"layer\":"
        JSONText.appendQuoted(letter.layer, to: &o)
        o += ",\"field\":"
        if let f = letter.field { JSONText.appendQuoted(f, to: &o) } else { o += "null" }
        o += ",\"reason\":"
        JSONText.appendQuoted(letter.reason, to: &o)
        o += ",\"raw\":" + letter.raw + "}"
        return o
    }
}
