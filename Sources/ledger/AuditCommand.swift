import ArgumentParser
import LedgerLog

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show one record's full change trail, oldest first.",
        discussion: "KEY is either field=value pairs (sale_id=42) or bare values in the entity's key order (42)."
    )

    @OptionGroup var options: LogOptions

    @Argument(help: "The entity.")
    var entity: String

    @Argument(help: "The key: field=value pairs, or values in key order.")
    var key: [String]

    @Flag(help: "Print the trail as JSON lines instead of text.")
    var json = false

    func run() throws {
        let directory = try options.directory()
        do {
            let reader = try LogReader(directory: directory)
            let canonical: String
            if key.allSatisfy({ $0.contains("=") }) {
                canonical = EventIdentity.canonicalKey(key.map { kv in
                    let eq = kv.firstIndex(of: "=")!
                    return (String(kv[..<eq]), String(kv[kv.index(after: eq)...]))
                })
            } else {
                guard let names = try reader.keyFields(ofEntity: entity) else {
                    Terminal.error("ledger: no events of entity \(entity)")
                    throw ExitStatus.noInput
                }
                guard names.count == key.count else {
                    throw ValidationError("entity \(entity) has key fields \(names.joined(separator: ",")): give \(names.count) value(s)")
                }
                canonical = EventIdentity.canonicalKey(zip(names, key).map { (name: $0, text: $1) })
            }
            let trail = try reader.trail(entity: entity, canonicalKey: canonical)
            guard !trail.isEmpty else {
                Terminal.error("ledger: no record \(entity) \(canonical)")
                throw ExitStatus.noInput
            }
            var previous: LogEvent?
            for e in trail {
                if json { Terminal.out(e.jsonLine) } else { Terminal.out(Self.describe(e, after: previous)) }
                previous = e
            }
        } catch let e as LogError {
            throw ExitStatus.fail(e)
        }
    }

    /// One trail entry: offset, time, op, hash checks, and each changed field with before → after.
    static func describe(_ e: LogEvent, after previous: LogEvent?) -> String {
        var lines = ["#\(e.offset)  \(e.time.iso8601)  \(e.op)  source=\(e.source)" + (e.rowversion.map { "  rowversion=\($0)" } ?? "")]
        lines.append("    hash \(e.hash.hex)  chain ok")
        lines.append("    data_hash \(e.dataHash.hex)  bk_hash \(e.bkHash.hex)")
        if let previous { lines.append("    previous event of this record: #\(previous.offset) \(previous.hash.hex)") }
        let before = Dictionary(uniqueKeysWithValues: (previous?.fields ?? []).map { ($0.name, $0.value) })
        let after = Dictionary(uniqueKeysWithValues: e.fields.map { ($0.name, $0.value) })
        for name in Set(before.keys).union(after.keys).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let b = before[name], a = after[name]
            guard b != a else { continue }
            func show(_ v: FieldValue?) -> String {
                guard let v else { return "(absent)" }
                var s = ""
                v.appendJSON(to: &s)
                return s
            }
            lines.append("    \(name): \(show(b)) → \(show(a))")
        }
        return lines.joined(separator: "\n")
    }
}
