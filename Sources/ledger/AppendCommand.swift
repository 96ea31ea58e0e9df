import ArgumentParser
import Logging
import LedgerLog

#if canImport(Glibc)
import Glibc
#endif

struct AppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append JSON objects from stdin (one per line) as upsert or delete events.",
        discussion: """
            A record whose data hash equals that of its latest event is skipped, so appending the same
            file twice adds nothing. JSON numbers become exact decimals; arrays and objects are kept as
            canonical JSON. A malformed line stops the run after committing the lines before it (exit 65).
            """
    )

    @OptionGroup var options: LogOptions

    @Option(help: "The entity (table) the rows belong to.")
    var entity: String

    @Option(help: ArgumentHelp("The business key fields, comma-separated, in order.", valueName: "F[,F...]"))
    var key: String

    @Option(help: "The source name recorded on each event.")
    var source: String = "cli"

    @Flag(help: "Append delete events (each row needs only its key fields).")
    var delete = false

    @Option(help: "Rows per committed batch.")
    var batchSize = 4096

    @Flag(help: "After each durable commit print `ack FIRST_OFFSET COUNT` on stdout.")
    var ack = false

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard !keyFields.isEmpty, !keyFields.contains("") else { throw ValidationError("--key needs at least one field name") }
    }

    var keyFields: [String] { key.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }

    func run() throws {
        let directory = try options.directory()
        let logger = LogOptions.makeLogger()
        let writer: LogWriter
        do { writer = try LogWriter(directory: directory, logger: logger) } catch { throw ExitStatus.fail(error) }
        defer { writer.close() }
        let reader = try LogReader(directory: directory)
        let head = writer.head.nextOffset
        var seen: [XXH128: (EventOp, Digest32)] = [:]   // record id → op and data hash of its newest event
        var pending: [NewEvent] = []
        var appended = 0, unchanged = 0, lineNumber = 0

        func commit() throws {
            guard !pending.isEmpty else { return }
            let receipt: AppendReceipt
            do { receipt = try writer.append(pending) } catch { throw ExitStatus.fail(error) }
            appended += pending.count
            if ack {
                Terminal.out("ack \(receipt.firstOffset) \(receipt.count)")
                Terminal.flush()
            }
            pending.removeAll(keepingCapacity: true)
            Terminal.progress("appended \(appended), unchanged \(unchanged)")
        }

        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
            let event: NewEvent
            do {
                event = try RowDecoder.event(from: line, entity: entity, source: source, keyFields: keyFields, delete: delete)
            } catch {
                let e = error
                try commit()
                Terminal.endProgress()
                Terminal.error("ledger: stdin:\(lineNumber): \(e)")
                Terminal.out("appended \(appended), unchanged \(unchanged)")
                throw ExitStatus.dataError
            }
            let rid = event.recordID
            let dataHash = EventIdentity.dataHash(of: event)
            let previous: (EventOp, Digest32)?
            if let p = seen[rid] {
                previous = p
            } else {
                do {
                    previous = try reader.latestEvent(recordID: rid, head: head).map { ($0.op, $0.dataHash) }
                } catch { throw ExitStatus.fail(error) }
            }
            if let previous, previous.0 == event.op, previous.1 == dataHash {
                unchanged += 1
                continue
            }
            seen[rid] = (event.op, dataHash)
            pending.append(event)
            if pending.count >= batchSize { try commit() }
        }
        try commit()
        Terminal.endProgress()
        Terminal.out("appended \(appended), unchanged \(unchanged)")
    }
}

/// Turns one JSON line into an event.
enum RowDecoder {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func event(from line: String, entity: String, source: String, keyFields: [String], delete: Bool) throws(Failure) -> NewEvent {
        let json: JSONValue
        do { json = try JSONParser.parse(line) } catch { throw Failure(description: "invalid JSON: \(error)") }
        guard case .object(let members) = json else { throw Failure(description: "expected a JSON object") }
        var fields: [Field] = []
        for (name, v) in members {
            if delete && !keyFields.contains(name) { continue }
            fields.append(Field(name, try value(v, field: name)))
        }
        do {
            return try NewEvent(op: delete ? .delete : .upsert, source: source, entity: entity, keyFields: keyFields, fields: fields)
        } catch {
            throw Failure(description: "field \(error.field ?? "?"): \(error.code.rawValue)")
        }
    }

    static func value(_ v: JSONValue, field: String) throws(Failure) -> FieldValue {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .number(let n):
            guard let d = LedgerDecimal(n) else {
                throw Failure(description: "field \(field): number \(n) is not an exact decimal ledger can hold (at most \(LedgerDecimal.maxSignificantDigits) significant digits and 76 digits before or after the point)")
            }
            return .decimal(d)
        case .array, .object:
            guard let text = v.canonicalText() else { throw Failure(description: "field \(field): a nested number is out of range or an object repeats a member name") }
            return .json(text)
        }
    }
}
