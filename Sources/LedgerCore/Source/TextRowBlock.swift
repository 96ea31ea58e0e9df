import LedgerLog

/// The records of a batch read as text into one buffer, rows of one entity and column list: a
/// source that reads text (a CSV file) hands them over without a string or an array per row, and
/// the pipeline normalizes the rows from the buffer. ``changes`` makes the records the
/// ``SourceChange``s they stand for, as the source would have made them one by one.
public struct TextRowBlock: Sendable {
    public let entity: String
    public let columns: [String]
    /// The rows' ``SourcePosition/source`` and ``SourcePosition/table``.
    public let source: String
    public let table: String
    /// The column whose text is a row's ``SourcePosition/key``.
    public let keyColumn: Int?
    /// Every value's bytes, back to back.
    private(set) var text: [UInt8] = []
    /// Per record, `columns.count + 1` offsets into `text`: where each value starts, then where the
    /// last ends. A record that is not a row has empty values.
    private(set) var bounds: [Int] = []
    /// Per record, its line; for a record that is not a row, `-1 - k` where `malformed[k]` is the record.
    private(set) var lines: [Int] = []
    /// The records that are not rows, in order.
    private(set) var malformed: [SourceMalformed] = []
    /// Where the record being added started.
    private var recordText = 0
    private var recordBounds = 0

    public init(entity: String, columns: [String], source: String, table: String, keyColumn: Int?, reservingRecords n: Int = 0) {
        self.entity = entity
        self.columns = columns
        self.source = source
        self.table = table
        self.keyColumn = keyColumn
        lines.reserveCapacity(n)
        bounds.reserveCapacity(n * (columns.count + 1))
        text.reserveCapacity(n * 8 * columns.count)
    }

    /// Records, rows or not.
    public var count: Int { lines.count }

    /// Starts a row on `line`: its values follow (``appendValue(_:)``), then ``endRow()``.
    public mutating func beginRow(line: Int) {
        recordText = text.count
        recordBounds = bounds.count
        bounds.append(text.count)
        lines.append(line)
    }

    /// The next value of the row begun: its bytes as in the source's text (UTF-8, or bytes that a
    /// row made from them keeps as ``RawValue/bytes(_:)``).
    @inline(__always)
    public mutating func appendValue(_ bytes: UnsafeRawBufferPointer) {
        text.append(contentsOf: bytes)
        bounds.append(text.count)
    }

    /// Values appended since ``beginRow(line:)``.
    public var valuesInRow: Int { bounds.count - recordBounds - 1 }

    /// Ends the row begun; false, with the row taken back, when it does not have one value per column.
    public mutating func endRow() -> Bool {
        if valuesInRow == columns.count { return true }
        cancelRow()
        return false
    }

    /// Takes back the row begun.
    public mutating func cancelRow() {
        text.removeSubrange(recordText...)
        bounds.removeSubrange(recordBounds...)
        lines.removeLast()
    }

    /// A record that is not a row, in its place among the rows.
    public mutating func appendMalformed(_ m: SourceMalformed) {
        bounds.append(contentsOf: repeatElement(text.count, count: columns.count + 1))
        lines.append(-1 - malformed.count)
        malformed.append(m)
    }

    /// Whether record `r` is a row.
    @inline(__always)
    func isRow(_ r: Int) -> Bool { lines[r] >= 0 }

    /// Record `r` as the source would have made it.
    public func change(_ r: Int) -> SourceChange {
        isRow(r) ? .row(row(r)) : .malformed(malformed[-1 - lines[r]])
    }

    /// Every record, as ``change(_:)`` makes them.
    public var changes: [SourceChange] { (0..<count).map(change) }

    /// Row `r`: each value text when it is UTF-8, else bytes.
    func row(_ r: Int) -> SourceRow {
        let b = r * (columns.count + 1)
        let values: [RawValue] = text.withUnsafeBytes { t in
            (0..<columns.count).map { c in
                let v = UnsafeRawBufferPointer(rebasing: t[bounds[b + c]..<bounds[b + c + 1]])
                if let s = String(utf8Bytes: v) { return .text(s) }
                return .bytes(Array(v))
            }
        }
        var position = SourcePosition(source: source, table: table, line: lines[r])
        if let keyColumn, case .text(let key) = values[keyColumn] { position.key = key }
        return SourceRow(entity: entity, position: position, columns: columns, values: values)
    }

    /// Calls `body` with the records in place, for a thread that goes through many of them.
    @inline(__always)
    func withRecords<R>(_ body: (TextRowBlockRecords) -> R) -> R {
        text.withUnsafeBytes { t in
            bounds.withUnsafeBufferPointer { b in
                lines.withUnsafeBufferPointer { l in body(TextRowBlockRecords(text: t, bounds: b, lines: l, width: columns.count)) }
            }
        }
    }
}

/// The records of a ``TextRowBlock``, read in place.
struct TextRowBlockRecords {
    let text: UnsafeRawBufferPointer
    let bounds: UnsafeBufferPointer<Int>
    let lines: UnsafeBufferPointer<Int>
    let width: Int

    @inline(__always)
    func isRow(_ r: Int) -> Bool { lines[r] >= 0 }

    /// Row `r`'s values.
    @inline(__always)
    func values(_ r: Int) -> TextRowBlockValues {
        let b = UnsafeBufferPointer(rebasing: bounds[(r * (width + 1))...])
        return TextRowBlockValues(text: text, bounds: b, count: width,
                                  ascii: String.isASCII(UnsafeRawBufferPointer(rebasing: text[b[0]..<b[width]])))
    }
}

/// A row of a ``TextRowBlock``, read in place.
struct TextRowBlockValues: TextRowValues {
    let text: UnsafeRawBufferPointer
    let bounds: UnsafeBufferPointer<Int>
    let count: Int
    /// Whether the whole row is ASCII: its values need no UTF-8 check one by one.
    let ascii: Bool

    @inline(__always)
    func withText<R>(_ c: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R? {
        let v = UnsafeRawBufferPointer(rebasing: text[bounds[c]..<bounds[c + 1]])
        guard ascii || String.isValidUTF8(v) else { return nil }
        return body(UnsafeBufferPointer(start: v.baseAddress?.assumingMemoryBound(to: UInt8.self), count: v.count))
    }
}
