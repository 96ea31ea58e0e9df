#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import LedgerCore

/// The rows of one CSV file as changes of one entity (`import-csv --entity sales FILE`).
///
/// The header row names the columns; the rows keep those names, which the entity mapping's
/// field columns refer to (a header without the mapping's key columns is `badSchema`). A record
/// with a different number of fields than the header, or a broken quote, is `.malformed` with its
/// line and raw text; the import goes on.
///
/// Cursor fields: `fingerprint` (`SIZE-MTIME_SECONDS.NANOSECONDS` of the file when it was read),
/// `offset` (the byte after the last record delivered), `line` (where the next record starts),
/// and `done` (`true` once the end was delivered). A cursor for the same fingerprint resumes at
/// `offset`; a done one yields nothing more; a file with another fingerprint (rewritten, appended
/// to) is read again from its start.
public final class CSVSource: ChangeSource {
    public struct Options: Sendable, Hashable {
        /// The entity the rows belong to.
        public var entity: String
        /// The file is a complete snapshot of the entity: the batch that ends it lists the entity in
        /// `completedSnapshots`, so keys missing from the file are deletes.
        public var complete: Bool
        public var reader: CSVReader.Options

        public init(entity: String, complete: Bool = false, reader: CSVReader.Options = .init()) {
            self.entity = entity
            self.complete = complete
            self.reader = reader
        }
    }

    public let name: String
    public let path: String
    public let options: Options
    public let mapping: EntityMapping?
    let fileName: String
    /// The reader the last batch stopped with, for a next batch that starts where it stopped: the
    /// file is opened and its header read again only when a batch starts anywhere else (a new run,
    /// a changed file). A source is used by one thread at a time.
    private var kept: (fingerprint: String, columns: [String], keyIndex: Int?, reader: CSVReader)?

    /// A source for the file at `path`; `mapping` (when given) is checked against the header.
    public init(name: String = "csv", path: String, mapping: EntityMapping? = nil, options: Options) {
        self.name = name
        self.path = path
        self.mapping = mapping
        self.options = options
        fileName = path.split(separator: "/").last.map(String.init) ?? path
    }

    public func nextBatch(after cursor: SourceCursor?, limit: Int) throws(SourceError) -> SourceBatch {
        let (fingerprint, fileSize) = try status()
        if let cursor, cursor["fingerprint"] == fingerprint, cursor["done"] == "true" {
            return SourceBatch(changes: [], cursor: cursor, hasMore: false)
        }
        let columns: [String], keyIndex: Int?, reader: CSVReader
        var resumed = false
        if let k = kept, let cursor, k.fingerprint == fingerprint, cursor["fingerprint"] == fingerprint,
           cursor["offset"] == String(k.reader.offset), cursor["line"] == String(k.reader.line) {
            (columns, keyIndex, reader) = (k.columns, k.keyIndex, k.reader)
            resumed = true
        } else {
            let header = try CSVReader(path: path, options: options.reader)
            guard let first = try header.next() else {
                throw SourceError(.badInput, context: "csv \(fileName)", cause: "no header row")
            }
            guard first.problem == nil else {
                throw SourceError(.badInput, context: "csv \(fileName) line \(first.line)", cause: "header: \(first.problem ?? "")")
            }
            columns = first.fields.map { v -> String in
                if case .text(let s) = v { return s.trimmingCharacters() }
                return ""
            }
            if let mapping {
                for key in mapping.keyColumns where !columns.contains(key) {
                    throw SourceError(.badSchema, context: "csv \(fileName)", cause: "the header has no column \"\(key)\" (key of \(mapping.entity))")
                }
            }
            keyIndex = (mapping?.keyColumns.first).flatMap { columns.firstIndex(of: $0) }
            if let cursor, cursor["fingerprint"] == fingerprint,
               let offset = cursor["offset"].flatMap({ Int64($0) }), let line = cursor["line"].flatMap({ Int($0) }), offset > header.offset {
                reader = try CSVReader(path: path, options: options.reader, offset: offset, line: line)
                resumed = true
            } else {
                reader = header
            }
        }
        kept = nil
        // A record's raw text is needed only when it is dead-lettered for its number of fields.
        reader.expectedFieldCount = columns.count
        let limit = max(1, limit)
        let batchStart = reader.offset
        var ended = false
        // The records go into one text buffer (``CSVReader/next(into:)``).
        var block = TextRowBlock(entity: options.entity, columns: columns, source: name, table: fileName, keyColumn: keyIndex,
                                 reservingRecords: min(limit, 1 << 16))
        while block.count < limit {
            guard let read = try reader.next(into: &block) else {
                ended = true
                break
            }
            if case .other(let record) = read { block.appendMalformed(malformed(record, columns: columns)) }
        }
        var batch = SourceBatch(textRows: block, cursor: SourceCursor(), hasMore: !ended)
        // The rest of the file at this batch's bytes per record.
        if !ended, batch.count > 0, reader.offset > batchStart {
            batch.estimatedRemaining = Int(Double(fileSize - reader.offset) * Double(batch.count) / Double(reader.offset - batchStart))
        }
        if !ended { kept = (fingerprint, columns, keyIndex, reader) }
        batch.cursor["fingerprint"] = fingerprint
        batch.cursor["offset"] = String(reader.offset)
        batch.cursor["line"] = String(reader.line)
        if ended { batch.cursor["done"] = "true" }
        batch.startedSnapshots = !resumed && options.complete ? [options.entity] : []
        batch.completedSnapshots = ended && options.complete ? [options.entity] : []
        return batch
    }

    /// The dead letter of a record that could not be split, or has another number of fields than the header.
    private func malformed(_ record: CSVReader.Record, columns: [String]) -> SourceMalformed {
        SourceMalformed(
            entity: options.entity, position: SourcePosition(source: name, table: fileName, line: record.line), raw: record.raw,
            reason: record.problem ?? "\(record.fields.count) fields, the header has \(columns.count)")
    }

    /// `SIZE-SECONDS.NANOSECONDS` of the file's size and modification time, and the size.
    func status() throws(SourceError) -> (fingerprint: String, size: Int64) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let e = errno
            throw SourceError(e == ENOENT ? .notFound : .unavailable, context: "csv \(fileName)", cause: String(cString: strerror(e)))
        }
        #if canImport(Darwin)
        let mtime = st.st_mtimespec
        #else
        let mtime = st.st_mtim
        #endif
        return ("\(st.st_size)-\(mtime.tv_sec).\(mtime.tv_nsec)", Int64(st.st_size))
    }
}

extension String {
    /// Without leading and trailing whitespace.
    fileprivate func trimmingCharacters() -> String {
        let scalars = unicodeScalars
        guard let a = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let b = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[a...b])
    }
}
