import ArgumentParser
import LedgerCore
import LedgerSources

struct ImportCSVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-csv",
        abstract: "Import a CSV export as changes of one entity.",
        discussion: """
            The header row names the columns; the standard point-of-sale entities (products, receipts,
            sales) need no mapping. A line that cannot be read or normalized goes to the dead letters
            with its line number. The position in the file is checkpointed with every commit, so an
            interrupted import resumes, and importing the same file again appends nothing.
            """
    )

    enum Encoding: String, ExpressibleByArgument, CaseIterable { case utf8, latin1 }

    @OptionGroup var log: LogOptions

    @Option(help: "The entity the rows are (products, receipts, sales, or one of the mapping file's), or `changes` for an export of the POS change log, whose D entries delete records.")
    var entity: String

    @Argument(help: "The CSV file.")
    var file: String

    @Option(help: ArgumentHelp("The field delimiter: , ; | or tab.", valueName: "CHAR"))
    var delimiter = ","

    @Option(help: "The file's text encoding (a UTF-8 byte-order mark is skipped).")
    var encoding: Encoding = .utf8

    @Flag(help: "The file is a complete snapshot of the entity: live records missing from it are deleted.")
    var complete = false

    @Option(help: ArgumentHelp("A mapping file for columns other than the standard ones.", valueName: "FILE"))
    var mapping: String?

    @Option(help: ArgumentHelp("The time zone of local times in the file: UTC, +07:00 or an IANA name.", valueName: "TZ"))
    var timeZone: String?

    @Option(name: .customLong("source-name"), help: "The name recorded on every event (default: csv:FILE_NAME).")
    var sourceName: String?

    @Option(help: ArgumentHelp("Refuse files larger than this many MiB.", valueName: "MIB"))
    var maxFileMib: Int64 = 65536

    @Option(help: "Rows per commit.")
    var batchSize = 8192

    var delimiterByte: UInt8? {
        let d = delimiter == "tab" || delimiter == "\\t" ? "\t" : delimiter
        guard d.utf8.count == 1, let b = d.utf8.first, b != UInt8(ascii: "\""), b != 10, b != 13 else { return nil }
        return b
    }

    func validate() throws {
        guard delimiterByte != nil else { throw ValidationError("--delimiter must be one ASCII character such as , ; | or tab") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard maxFileMib > 0 else { throw ValidationError("--max-file-mib must be positive") }
    }

    func run() throws {
        let directory = try log.directory()
        var settings = SourceSettings()
        settings.mapping = mapping
        settings.timeZone = timeZone
        var sourceMapping = try settings.sourceMapping()
        if encoding == .latin1 { sourceMapping.encoding = .latin1 }
        let fileName = file.split(separator: "/").last.map(String.init) ?? file
        let readerOptions = CSVReader.Options(
            delimiter: delimiterByte!, encoding: encoding == .latin1 ? .latin1 : .utf8, maxFileBytes: maxFileMib << 20)
        var runner = SyncRunner(directory: directory, logger: LogOptions.makeLogger())
        runner.configuration.batchSize = batchSize
        if entity == "changes" {
            let source = ChangeLogCSVSource(name: sourceName ?? "csv:\(fileName)", path: file, mapping: sourceMapping, reader: readerOptions)
            _ = try runner.run(source: source, mapping: sourceMapping, label: "import \(fileName)")
            return
        }
        guard let entityMapping = sourceMapping.entity(entity) else {
            let known = sourceMapping.entities.map(\.entity).joined(separator: ", ")
            throw ValidationError("--entity: no mapping for \"\(entity)\" (known: \(known)); pass --mapping FILE")
        }
        let source = CSVSource(
            name: sourceName ?? "csv:\(fileName)", path: file, mapping: entityMapping,
            options: .init(entity: entity, complete: complete, reader: readerOptions))
        runner.configuration.trackSnapshots = complete
        _ = try runner.run(source: source, mapping: sourceMapping, label: "import \(fileName)")
    }
}
