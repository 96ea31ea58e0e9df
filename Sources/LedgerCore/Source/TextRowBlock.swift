import LedgerLog

/// The records of a batch read as text into one buffer, rows of one entity and column list: a
/// source that reads text (a CSV file, a SQLite table) hands them over without a string or an array
/// per row, and the pipeline normalizes the rows from the buffer. ``changes`` makes the records the
/// ``SourceChange``s they stand for, as the source would have made them one by one.
public struct TextRowBlock: Sendable {
    /// What a record's number is in its ``SourcePosition``.
    public enum Numbering: Sendable {
        case line
        case rowID
    }

    public let entity: String
    public let columns: [String]
    /// The rows' ``SourcePosition/source`` and ``SourcePosition/table``.
    public let source: String
    public let table: String
    public let numbering: Numbering
    /// The column whose text is a row's ``SourcePosition/key``.
    public let keyColumn: Int?
    /// Whether a key value that is bytes gives the key its UTF-8 decoding (else no key).
    public let keyFromBytes: Bool
    /// Every value's bytes, back to back.
    private var text: TextRowBytes
    /// Per record, `columns.count + 1` offsets into `text`: where each value starts, then where the
    /// last ends. A record that is not a row has empty values.
    private(set) var bounds: [Int] = []
    /// Per value: ``Kind``.
    private(set) var kinds: [UInt8] = []
    /// Per record, its line or row id; for a record that is not a row, `k` where `malformed[k]` is the record.
    private(set) var numbers: [Int64] = []
    /// Per record, whether it is a row.
    private(set) var rows: [Bool] = []
    /// The records that are not rows, in order.
    private(set) var malformed: [SourceMalformed] = []
    /// Where the record being added started.
    private var recordText = 0
    private var recordBounds = 0

    /// What a value is.
    enum Kind {
        static let text: UInt8 = 0
        static let null: UInt8 = 1
        /// Bytes that a row keeps as ``RawValue/bytes(_:)`` (a blob).
        static let bytes: UInt8 = 2
    }

    public init(
        entity: String, columns: [String], source: String, table: String, numbering: Numbering = .line, keyColumn: Int?,
        keyFromBytes: Bool = false, reservingRecords n: Int = 0
    ) {
        self.entity = entity
        self.columns = columns
        self.source = source
        self.table = table
        self.numbering = numbering
        self.keyColumn = keyColumn
        self.keyFromBytes = keyFromBytes
        numbers.reserveCapacity(n)
        rows.reserveCapacity(n)
        bounds.reserveCapacity(n * (columns.count + 1))
        kinds.reserveCapacity(n * columns.count)
        text = TextRowBytes(capacity: max(64, n * 8 * columns.count))
    }

    /// Records, rows or not.
    public var count: Int { numbers.count }

    /// Starts a row numbered `number` (its line or row id): its values follow (``appendValue(_:)``,
    /// ``appendNull()``, ``appendBytes(_:)``), then ``endRow()``.
    public mutating func beginRow(_ number: Int64) {
        recordText = text.count
        recordBounds = bounds.count
        bounds.append(text.count)
        numbers.append(number)
        rows.append(true)
    }

    /// The next value of the row begun, as text: its bytes as the source holds them (UTF-8, or bytes
    /// that a row made from them keeps as ``RawValue/bytes(_:)``).
    @inline(__always)
    public mutating func appendValue(_ bytes: UnsafeRawBufferPointer) {
        appendText(bytes)
        bounds.append(text.count)
        kinds.append(Kind.text)
    }

    /// The next value of the row begun: null.
    public mutating func appendNull() {
        bounds.append(text.count)
        kinds.append(Kind.null)
    }

    /// The next value of the row begun: bytes that are not text (a blob).
    public mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        appendText(bytes)
        bounds.append(text.count)
        kinds.append(Kind.bytes)
    }

    @inline(__always)
    private mutating func appendText(_ bytes: UnsafeRawBufferPointer) {
        unshare()
        text.append(bytes)
    }

    /// Copies the text buffer if another copy of the block holds it too.
    @inline(__always)
    private mutating func unshare() {
        if !isKnownUniquelyReferenced(&text) { text = text.copy() }
    }

    /// Values appended since ``beginRow(_:)``.
    public var valuesInRow: Int { bounds.count - recordBounds - 1 }

    /// Ends the row begun; false, with the row taken back, when it does not have one value per column.
    public mutating func endRow() -> Bool {
        if valuesInRow == columns.count { return true }
        cancelRow()
        return false
    }

    /// Takes back the row begun.
    public mutating func cancelRow() {
        kinds.removeLast(valuesInRow)
        unshare()
        text.count = recordText
        bounds.removeSubrange(recordBounds...)
        numbers.removeLast()
        rows.removeLast()
    }

    /// A record that is not a row, in its place among the rows.
    public mutating func appendMalformed(_ m: SourceMalformed) {
        bounds.append(contentsOf: repeatElement(text.count, count: columns.count + 1))
        kinds.append(contentsOf: repeatElement(Kind.null, count: columns.count))
        numbers.append(Int64(malformed.count))
        rows.append(false)
        malformed.append(m)
    }

    /// Whether record `r` is a row.
    @inline(__always)
    func isRow(_ r: Int) -> Bool { rows[r] }

    /// Record `r` as the source would have made it.
    public func change(_ r: Int) -> SourceChange {
        isRow(r) ? .row(row(r)) : .malformed(malformed[Int(numbers[r])])
    }

    /// Every record, as ``change(_:)`` makes them.
    public var changes: [SourceChange] { (0..<count).map(change) }

    /// Row `r`: each text value a string when it is UTF-8, else bytes.
    func row(_ r: Int) -> SourceRow {
        let b = r * (columns.count + 1)
        let values: [RawValue] = text.withBytes { t in
            (0..<columns.count).map { c in
                let v = UnsafeRawBufferPointer(rebasing: t[bounds[b + c]..<bounds[b + c + 1]])
                switch kinds[r * columns.count + c] {
                case Kind.null: return .null
                case Kind.bytes: return .bytes(Array(v))
                default:
                    if let s = String(utf8Bytes: v) { return .text(s) }
                    return .bytes(Array(v))
                }
            }
        }
        var key: String? = nil
        if let keyColumn {
            switch values[keyColumn] {
            case .text(let s): key = s
            case .bytes(let bytes) where keyFromBytes: key = String(decoding: bytes, as: UTF8.self)
            default: break
            }
        }
        let position = switch numbering {
        case .line: SourcePosition(source: source, table: table, line: Int(numbers[r]), key: key)
        case .rowID: SourcePosition(source: source, table: table, rowID: numbers[r], key: key)
        }
        return SourceRow(entity: entity, position: position, columns: columns, values: values)
    }

    /// Calls `body` with the records in place, for a thread that goes through many of them.
    @inline(__always)
    func withRecords<R>(_ body: (TextRowBlockRecords) -> R) -> R {
        text.withBytes { t in
            bounds.withUnsafeBufferPointer { b in
                kinds.withUnsafeBufferPointer { k in
                    rows.withUnsafeBufferPointer { rows in
                        body(TextRowBlockRecords(text: t, bounds: b, kinds: k, rows: rows, width: columns.count))
                    }
                }
            }
        }
    }
}

/// The records of a ``TextRowBlock``, read in place.
struct TextRowBlockRecords {
    let text: UnsafeRawBufferPointer
    let bounds: UnsafeBufferPointer<Int>
    let kinds: UnsafeBufferPointer<UInt8>
    let rows: UnsafeBufferPointer<Bool>
    let width: Int

    @inline(__always)
    func isRow(_ r: Int) -> Bool { rows[r] }

    /// Row `r`'s values.
    @inline(__always)
    func values(_ r: Int) -> TextRowBlockValues {
        let b = UnsafeBufferPointer(rebasing: bounds[(r * (width + 1))...])
        return TextRowBlockValues(text: text, bounds: b, kinds: UnsafeBufferPointer(rebasing: kinds[(r * width)...]), count: width,
                                  ascii: String.isASCII(UnsafeRawBufferPointer(rebasing: text[b[0]..<b[width]])))
    }
}

/// A row of a ``TextRowBlock``, read in place.
struct TextRowBlockValues: TextRowValues {
    let text: UnsafeRawBufferPointer
    let bounds: UnsafeBufferPointer<Int>
    let kinds: UnsafeBufferPointer<UInt8>
    let count: Int
    /// Whether the whole row is ASCII: its values need no UTF-8 check one by one.
    let ascii: Bool

    @inline(__always)
    func withText<R>(_ c: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R? {
        switch kinds[c] {
        case TextRowBlock.Kind.null: return body(nil)
        case TextRowBlock.Kind.bytes: return nil
        default: break
        }
        let v = UnsafeRawBufferPointer(rebasing: text[bounds[c]..<bounds[c + 1]])
        guard ascii || String.isValidUTF8(v) else { return nil }
        return body(UnsafeBufferPointer(start: v.baseAddress?.assumingMemoryBound(to: UInt8.self), count: v.count))
    }
}

/// The bytes of a ``TextRowBlock``'s values: a buffer that appends without the generic
/// `Array.append(contentsOf:)` (a fifth of a SQLite backfill's reading thread). The block copies it
/// before it writes to one another block shares.
final class TextRowBytes: @unchecked Sendable {
    // Written only through a block that holds it alone (``TextRowBlock/unshare()``), so no run-time
    // exclusivity checks.
    @exclusivity(unchecked) private var base: UnsafeMutableRawPointer
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) var count = 0

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        base = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n > 0, let source = bytes.baseAddress else { return }
        if count + n > capacity { grow(to: count + n) }
        (base + count).copyMemory(from: source, byteCount: n)
        count += n
    }

    private func grow(to needed: Int) {
        capacity = max(needed, 2 * capacity)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        grown.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = grown
    }

    func copy() -> TextRowBytes {
        let c = TextRowBytes(capacity: capacity)
        c.base.copyMemory(from: base, byteCount: count)
        c.count = count
        return c
    }

    /// Calls `body` with the bytes written so far.
    @inline(__always)
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withExtendedLifetime(self) { body(UnsafeRawBufferPointer(start: base, count: count)) }
    }
}
