#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import LedgerCore

/// Reads a CSV file record by record through one fixed-size buffer, never holding the whole file.
///
/// RFC 4180: fields are separated by ``Options/delimiter``; a field that starts with `"` is quoted
/// and may hold delimiters, `""` (one quote) and line breaks; records end at LF, CRLF or a lone CR.
/// A UTF-8 byte-order mark at the start of the file is skipped. Lines that are completely empty are
/// skipped. A quote inside an unquoted field is kept as a character.
///
/// A record that cannot be read as fields (text after a closing quote, a quote still open at the
/// end of the file) is returned with ``Record/problem`` set and the raw text, so the caller can
/// dead-letter it and go on. A field or record longer than the limits, or a file larger than
/// ``Options/maxFileBytes``, is an error (`limitExceeded`) naming the file and line.
public final class CSVReader {
    /// Text encodings a CSV file can be read in.
    public enum Encoding: String, Sendable, CaseIterable {
        /// UTF-8; a field that is not valid UTF-8 is delivered as `.bytes`.
        case utf8
        /// ISO-8859-1: every byte is the character with that code point (0xE9 is "é").
        case latin1
    }

    public struct Options: Sendable, Hashable {
        /// `,` `;` `\t` or `|` (any ASCII byte other than a quote or a line break).
        public var delimiter: UInt8
        public var encoding: Encoding
        /// The longest field, in bytes.
        public var maxFieldBytes: Int
        /// The longest record (line, or lines of one quoted record), in bytes.
        public var maxRecordBytes: Int
        public var maxFileBytes: Int64
        /// The read buffer's size.
        public var bufferBytes: Int

        public init(
            delimiter: UInt8 = UInt8(ascii: ","),
            encoding: Encoding = .utf8,
            maxFieldBytes: Int = 1 << 20,
            maxRecordBytes: Int = 4 << 20,
            maxFileBytes: Int64 = 64 << 30,
            bufferBytes: Int = 64 << 10
        ) {
            self.delimiter = delimiter
            self.encoding = encoding
            self.maxFieldBytes = maxFieldBytes
            self.maxRecordBytes = maxRecordBytes
            self.maxFileBytes = maxFileBytes
            self.bufferBytes = bufferBytes
        }
    }

    /// One record.
    public struct Record: Sendable, Hashable {
        public var fields: [RawValue]
        /// The physical line the record starts on, 1-based.
        public var line: Int
        /// The record's bytes as in the file, without its line break; empty for a well-formed record
        /// of ``CSVReader/expectedFieldCount`` fields.
        public var rawBytes: [UInt8]
        /// The file's encoding, for ``raw``.
        public var encoding: Encoding
        /// Why the record could not be split into fields (its `fields` are then empty).
        public var problem: String?
        /// The byte offset just after the record (and its line break).
        public var endOffset: Int64

        /// The record's text as in the file, without its line break (invalid UTF-8 repaired).
        public var raw: String {
            switch encoding {
            case .utf8: String(decoding: rawBytes, as: UTF8.self)
            case .latin1: String(String.UnicodeScalarView(rawBytes.map { Unicode.Scalar($0) }))
            }
        }
    }

    public let path: String
    public let options: Options
    /// The file's name, for errors and positions.
    public let fileName: String
    // A reader is used by one thread at a time (it is not Sendable), so the run-time exclusivity
    // checks on its cursor, a few per record and about 1% of a CSV import, are turned off.

    /// The offset after the last record returned (where a resumed reader starts).
    @exclusivity(unchecked) public private(set) var offset: Int64
    /// The line the next record starts on.
    @exclusivity(unchecked) public private(set) var line: Int

    private let fd: Int32
    @exclusivity(unchecked) private var buffer: [UInt8]
    @exclusivity(unchecked) private var start = 0
    @exclusivity(unchecked) private var end = 0
    @exclusivity(unchecked) private var atEOF = false
    /// Absolute offset of `buffer[0]`.
    @exclusivity(unchecked) private var bufferBase: Int64
    /// The last record's field count, to size the next one's array.
    @exclusivity(unchecked) private var fieldCount = 8
    /// When set, a record split into this many fields, with no problem, keeps no ``Record/rawBytes``:
    /// a caller that reports only records of another shape need not copy every record's bytes.
    public var expectedFieldCount: Int? = nil

    /// Opens `path` to read from `offset` (a record boundary from a previous reader), whose record
    /// starts on `line`.
    public init(path: String, options: Options = Options(), offset: Int64 = 0, line: Int = 1) throws(SourceError) {
        self.path = path
        self.options = options
        fileName = path.split(separator: "/").last.map(String.init) ?? path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw SourceError(e == ENOENT ? .notFound : .unavailable, context: "csv \(fileName)", cause: String(cString: strerror(e)))
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            throw SourceError(.unavailable, context: "csv \(fileName)", cause: "fstat failed")
        }
        guard Int64(st.st_size) <= options.maxFileBytes else {
            close(fd)
            throw SourceError(.limitExceeded, context: "csv \(fileName)", cause: "file is \(st.st_size) bytes, the limit is \(options.maxFileBytes)")
        }
        if offset > 0 && lseek(fd, off_t(offset), SEEK_SET) < 0 {
            close(fd)
            throw SourceError(.unavailable, context: "csv \(fileName)", cause: "cannot seek to byte \(offset)")
        }
        self.fd = fd
        self.offset = offset
        self.line = line
        bufferBase = offset
        buffer = [UInt8](repeating: 0, count: max(16, options.bufferBytes))
    }

    deinit { close(fd) }

    /// The next record, or nil at the end of the file.
    public func next() throws(SourceError) -> Record? {
        try nextRecord({ (stop) throws(SourceError) in try fastRecord(endingAt: stop) }, slow: { () throws(SourceError) in try nextByteByByte() })
    }

    /// Finds the next record's end and reads it with `fast` (given where it ends) when it lies whole
    /// in the buffer without quotes, else (or when `fast` gives nil, having consumed nothing) with
    /// `slow`, the byte-by-byte path; nil at the end of the file.
    @inline(__always)
    private func nextRecord<R>(
        _ fast: (_ stop: Int) throws(SourceError) -> R?, slow: () throws(SourceError) -> R?
    ) throws(SourceError) -> R? {
        if offset == 0 { return try slow() }
        // Fast path: a record without quotes that lies whole in the buffer is split in place.
        try fill(1)
        guard start < end else { return nil }
        var scan = start
        while true {
            let stop = lineBreak(from: scan)
            if stop < end {
                if stop > start, let record = try fast(stop) { return record }
                return try slow()
            }
            if atEOF {
                guard stop > start else { return nil }
                if let record = try fast(stop) { return record }
                return try slow()
            }
            // The record goes on past the buffer: read more, unless the buffer is full.
            let scanned = stop - start
            if start == 0 && end == buffer.count { return try slow() }
            try fill(end - start + 1)
            scan = start + scanned
        }
    }

    /// What ``next(into:)`` read.
    public enum BlockRecord {
        /// A record of the block's width, added to it as a row.
        case row
        /// A record that is not: of another width, or one that could not be split into fields
        /// (``Record/problem``).
        case other(Record)
    }

    /// The next record, added to `block` when it is a row of the block's width; nil at the end of
    /// the file. A row's values go into the block as their UTF-8 bytes: a UTF-8 file's as they are,
    /// with no string or array made; a Latin-1 file's decoded first.
    public func next(into block: inout TextRowBlock) throws(SourceError) -> BlockRecord? {
        if options.encoding != .utf8 { return try next().map { add($0, to: &block) } }
        return try nextRecord({ (stop) throws(SourceError) in try fastRecord(endingAt: stop, into: &block) },
                       slow: { () throws(SourceError) in try nextByteByByte().map { add($0, to: &block) } })
    }

    /// `record` (decoded) added to `block` when it is a row of its width.
    private func add(_ record: Record, to block: inout TextRowBlock) -> BlockRecord {
        guard record.problem == nil, record.fields.count == block.columns.count else { return .other(record) }
        block.beginRow(Int64(record.line))
        for value in record.fields {
            switch value {
            case .text(let s): s.utf8.withContiguousStorageIfAvailable { block.appendValue(UnsafeRawBufferPointer($0)) } ?? Array(s.utf8).withUnsafeBytes { block.appendValue($0) }
            case .bytes(let b): b.withUnsafeBytes { block.appendValue($0) }
            case .null: block.appendNull()
            }
        }
        _ = block.endRow()
        return .row
    }

    /// The first line break at or after `scan`, or `end`.
    @inline(__always)
    private func lineBreak(from scan: Int) -> Int {
        buffer.withUnsafeBufferPointer { b -> Int in
            var i = scan
            while i < end {
                let c = b[i]
                if c == 0x0A || c == 0x0D { return i }
                i += 1
            }
            return i
        }
    }

    /// ``fastRecord(endingAt:)`` into `block`: the record's fields go into it as a row when it has
    /// the block's width; another width is read as a ``Record`` to report.
    private func fastRecord(endingAt stop: Int, into block: inout TextRowBlock) throws(SourceError) -> BlockRecord? {
        guard stop - start <= options.maxRecordBytes else { return nil }
        block.beginRow(Int64(line))
        guard split(endingAt: stop, into: &block) else {
            block.cancelRow()
            return nil
        }
        guard block.endRow() else { return try fastRecord(endingAt: stop).map { .other($0) } }
        try endRecord(at: stop)
        return .row
    }

    /// The record `start..<stop` (no line breaks outside quotes) and its line ending; nil, with
    /// nothing consumed, when it breaks a limit, holds a line break inside quotes or cannot be split
    /// into fields (the byte-by-byte path reads or reports it).
    private func fastRecord(endingAt stop: Int) throws(SourceError) -> Record? {
        let first = line
        guard stop - start <= options.maxRecordBytes else { return nil }
        var fields = DecodedFields(encoding: options.encoding, capacity: fieldCount)
        guard split(endingAt: stop, into: &fields) else { return nil }
        fieldCount = fields.values.count
        let raw = fields.values.count == expectedFieldCount ? [] : Array(buffer[start..<stop])
        try endRecord(at: stop)
        return Record(fields: fields.values, line: first, rawBytes: raw, encoding: options.encoding, problem: nil, endOffset: offset)
    }

    /// Splits the record `start..<stop` in place into `fields`; false when a field is too long, a
    /// quote is not closed or a closing quote is not followed by the delimiter.
    private func split(endingAt stop: Int, into fields: inout some CSVFields) -> Bool {
        var tooLong = false
        var broken = false
        let delimiter = options.delimiter
        let maxField = options.maxFieldBytes
        buffer.withUnsafeBufferPointer { b in
            let r = UnsafeBufferPointer(rebasing: b[start..<stop])
            let n = r.count
            var i = 0
            while true {
                if i < n && r[i] == 0x22 {
                    // Quoted: up to the closing quote, `""` standing for one quote.
                    var j = i + 1
                    var unescaped: [UInt8]? = nil
                    var from = j
                    while true {
                        guard j < n else { broken = true; return }
                        if r[j] == 0x22 {
                            guard j + 1 < n && r[j + 1] == 0x22 else { break }
                            unescaped = unescaped ?? []
                            unescaped!.append(contentsOf: r[from...j])
                            j += 2
                            from = j
                        } else {
                            j += 1
                        }
                    }
                    if var u = unescaped {
                        u += r[from..<j]
                        if u.count > maxField { tooLong = true }
                        u.withUnsafeBufferPointer { fields.append($0) }
                    } else {
                        if j - i - 1 > maxField { tooLong = true }
                        fields.append(UnsafeBufferPointer(rebasing: r[(i + 1)..<j]))
                    }
                    j += 1
                    if j == n { return }
                    guard r[j] == delimiter else { broken = true; return }
                    i = j + 1
                } else {
                    var k = i
                    while k < n && r[k] != delimiter { k += 1 }
                    if k - i > maxField { tooLong = true }
                    fields.append(UnsafeBufferPointer(rebasing: r[i..<k]))
                    if k == n { return }
                    i = k + 1
                }
            }
        }
        return !(tooLong || broken)
    }

    /// Consumes the line ending after the record that ends at `stop` (LF, CRLF or a lone CR, whose
    /// next byte may still be unread) and moves past the record.
    private func endRecord(at stop: Int) throws(SourceError) {
        var next = stop
        if next < end {
            let c = buffer[next]
            next += 1
            start = next
            if c == 0x0D {
                try fill(1)
                if start < end && buffer[start] == 0x0A { start += 1 }
            }
        } else {
            start = next
        }
        offset = bufferBase + Int64(start)
        line += 1
    }

    /// The reader of record boundaries and fields one byte at a time: quotes, records that span the
    /// buffer, the byte-order mark, the limits.
    private func nextByteByByte() throws(SourceError) -> Record? {
        var parser = CSVRecordParser(delimiter: options.delimiter)
        var raw: [UInt8] = []
        var firstLine = line
        var lines = 0
        // The BOM is only skipped at the very start of the file.
        if offset == 0 {
            try fill(3)
            if end - start >= 3 && buffer[start] == 0xEF && buffer[start + 1] == 0xBB && buffer[start + 2] == 0xBF {
                start += 3
                offset = 3
            }
        }
        while true {
            if start == end {
                try fill(1)
                if start == end {
                    // End of file.
                    if raw.isEmpty { return nil }
                    parser.finish()
                    return record(parser, raw: raw, line: firstLine, lines: lines)
                }
            }
            let byte = buffer[start]
            if !parser.insideQuotes && (byte == 0x0A || byte == 0x0D) {
                start += 1
                if byte == 0x0D {
                    try fill(1)
                    if start < end && buffer[start] == 0x0A { start += 1 }
                }
                lines += 1
                if raw.isEmpty {
                    // An empty line: skipped.
                    line += 1
                    offset = bufferBase + Int64(start)
                    firstLine = line
                    lines = 0
                    continue
                }
                parser.finish()
                return record(parser, raw: raw, line: firstLine, lines: lines)
            }
            start += 1
            if byte == 0x0A { lines += 1 }
            raw.append(byte)
            parser.consume(byte)
            if raw.count > options.maxRecordBytes {
                throw SourceError(.limitExceeded, context: "csv \(fileName) line \(firstLine)", cause: "record longer than \(options.maxRecordBytes) bytes")
            }
            if parser.field.count > options.maxFieldBytes {
                throw SourceError(.limitExceeded, context: "csv \(fileName) line \(firstLine)", cause: "field longer than \(options.maxFieldBytes) bytes")
            }
        }
    }

    private func record(_ parser: CSVRecordParser, raw: [UInt8], line first: Int, lines: Int) -> Record {
        offset = bufferBase + Int64(start)
        line = first + max(1, lines)
        if let problem = parser.problem {
            return Record(fields: [], line: first, rawBytes: raw, encoding: options.encoding, problem: problem, endOffset: offset)
        }
        return Record(fields: parser.fields.map(decode), line: first, rawBytes: raw, encoding: options.encoding, problem: nil, endOffset: offset)
    }

    private func decode(_ bytes: [UInt8]) -> RawValue {
        bytes.withUnsafeBufferPointer { decode($0) }
    }

    private func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> RawValue { Self.decode(bytes, encoding: options.encoding) }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, encoding: Encoding) -> RawValue {
        switch encoding {
        case .utf8:
            return TextBytes.rawValue(UnsafeRawBufferPointer(bytes))
        case .latin1:
            return latin1(bytes)
        }
    }

    private static func latin1(_ bytes: some Collection<UInt8>) -> RawValue {
        if bytes.allSatisfy({ $0 < 0x80 }) { return .text(String(decoding: bytes, as: UTF8.self)) }
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(b)) }
        return .text(String(s))
    }

    /// Makes at least `count` bytes available after `start` unless the file ends first.
    private func fill(_ count: Int) throws(SourceError) {
        if end - start >= count || atEOF { return }
        if start > 0 {
            let left = end - start
            if left > 0 { buffer.withUnsafeMutableBytes { b in _ = memmove(b.baseAddress!, b.baseAddress! + start, left) } }
            bufferBase += Int64(start)
            start = 0
            end = left
        }
        while end - start < count && !atEOF {
            let n = buffer.withUnsafeMutableBytes { b in read(fd, b.baseAddress! + end, b.count - end) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SourceError(.unavailable, context: "csv \(fileName)", cause: String(cString: strerror(errno)))
            }
            if n == 0 { atEOF = true } else { end += n }
            if bufferBase + Int64(end) > options.maxFileBytes {
                throw SourceError(.limitExceeded, context: "csv \(fileName) line \(line)", cause: "file longer than \(options.maxFileBytes) bytes")
            }
        }
    }
}
