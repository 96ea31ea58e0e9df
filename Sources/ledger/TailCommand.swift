import ArgumentParser
import LedgerLog

#if canImport(Glibc)
import Glibc
#endif

struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "List events, optionally following new commits."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, table }

    @OptionGroup var options: LogOptions

    @Option(help: "Start at this offset (default: 0, or the head with --follow).")
    var from: UInt64?

    @Option(help: ArgumentHelp("Start at the first event committed at or after this ISO 8601 time.", valueName: "TIME"))
    var since: String?

    @Flag(name: [.short, .long], help: "Keep waiting for new events.")
    var follow = false

    @Option(help: "Only events of this entity.")
    var entity: String?

    @Option(help: ArgumentHelp("Only events whose key values, comma-separated in key order, equal this.", valueName: "K"))
    var key: String?

    @Option(help: "Output format.")
    var format: Format = .jsonl

    func validate() throws {
        if from != nil && since != nil { throw ValidationError("use either --from or --since, not both") }
        if let since, Timestamp(iso8601: since) == nil {
            throw ValidationError("--since: \"\(since)\" is not an ISO 8601 time such as 2026-03-01T10:22:11Z")
        }
    }

    func run() throws {
        let directory = try options.directory()
        do { try tail(directory: directory) } catch { throw ExitStatus.fail(error) }
    }

    private func tail(directory: String) throws(LogError) {
        let reader = try LogReader(directory: directory)
        var committed = try reader.head().nextOffset
        let start: UInt64
        if let from {
            start = from
        } else if let since, let t = Timestamp(iso8601: since) {
            start = try reader.offset(atOrAfter: t)
        } else {
            start = follow ? committed : 0
        }
        let cursor = try reader.cursor(from: start, limit: committed)
        let follower: LogFollower? = follow ? LogFollower(directory: directory) : nil
        if format == .table { Terminal.out(Self.tableHeader) }
        repeat {
            while let e = try cursor.next() {
                if matches(e) { Terminal.out(format == .jsonl ? e.jsonLine : Self.tableRow(e)) }
            }
            Terminal.flush()
            if let h = follower?.waitForCommit(timeoutMilliseconds: 1000), h.nextOffset > committed {
                committed = h.nextOffset
                cursor.extend(to: committed)
            }
        } while follower != nil
    }

    func matches(_ e: LogEvent) -> Bool {
        if let entity, e.entity != entity { return false }
        if let key {
            let values = e.key.map { $0.value.canonicalText }.joined(separator: ",")
            if values != key { return false }
        }
        return true
    }

    static let tableHeader = "OFFSET      TIME                         OP          ENTITY            KEY                       FIELDS"

    static func tableRow(_ e: LogEvent) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
        let key = e.key.map { "\($0.name)=\($0.value.canonicalText)" }.joined(separator: ",")
        let fields = e.fields.map { "\($0.name)=\($0.value.canonicalText)" }.joined(separator: " ")
        return pad(String(e.offset), 12) + pad(e.time.iso8601, 29) + pad(e.op.description, 12) + pad(e.entity, 18) + pad(key, 26) + fields
    }
}
