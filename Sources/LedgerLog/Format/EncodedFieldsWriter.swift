/// Writes the `fields` section of upserts (log-format/SPEC.md §3) value by value, for a producer
/// that knows its field names ahead: the normalizer writes a row's values straight into it, and the
/// event keeps the bytes. Its data hash and the writer then read them as they are, where a row of
/// `Field`s was encoded twice and its strings made and freed.
///
/// One writer per thread; it reuses its memory from row to row. A noncopyable struct, so that its
/// hot path has no dynamic exclusivity checks (a class's stored properties cost about 5% of a CSV import).
package struct EncodedFieldsWriter: ~Copyable {
    /// The names part of the section, shared by every row of one field list.
    package struct Names: Sendable {
        /// `varint(count)`, then every name as `str`.
        let section: [UInt8]
        package let count: Int

        /// `names` must be unique and ascending by their UTF-8 bytes, as events store them.
        package init(sortedNames names: [String]) {
            precondition(zip(names, names.dropFirst()).allSatisfy { $0.utf8Precedes($1) }, "field names out of order")
            var w = ByteWriter(capacity: 64)
            w.varint(UInt64(names.count))
            for n in names { w.str(n) }
            section = w.bytes
            count = names.count
        }
    }

    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    private var position = 0
    /// Where each value written so far starts, in stored order.
    private var starts: UnsafeMutablePointer<Int>
    private var startsCapacity: Int
    private var count = 0
    /// Where finished rows go, shared by the rows after them until it is full.
    private var block: EncodedFields.Block?

    package init() {
        capacity = 1024
        startsCapacity = 32
        base = .allocate(byteCount: capacity, alignment: 16)
        starts = .allocate(capacity: startsCapacity)
    }

    deinit {
        base.deallocate()
        starts.deallocate()
    }

    /// Starts a row of the fields `names`.
    package mutating func begin(_ names: Names) {
        position = 0
        count = 0
        if names.count > startsCapacity {
            startsCapacity = names.count
            starts.deallocate()
            starts = .allocate(capacity: startsCapacity)
        }
        reserve(names.section.count)
        names.section.withUnsafeBytes { s in base.copyMemory(from: s.baseAddress!, byteCount: s.count) }
        position = names.section.count
    }

    @inline(__always)
    private mutating func reserve(_ n: Int) {
        guard position + n > capacity else { return }
        capacity = max(position + n, 2 * capacity)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        grown.copyMemory(from: base, byteCount: position)
        base.deallocate()
        base = grown
    }

    @inline(__always)
    private mutating func write(bound: Int, _ body: (inout RawWriter) -> Void) {
        precondition(count < startsCapacity, "more values than the names begun")
        reserve(bound)
        starts[count] = position
        count += 1
        var w = RawWriter(base, position: position)
        body(&w)
        position = w.position
    }

    package mutating func null() { write(bound: 1) { $0.u8(FieldValue.Tag.null.rawValue) } }

    /// A string value: `utf8` must be valid UTF-8.
    package mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) {
        write(bound: 11 + utf8.count) { w in
            w.u8(FieldValue.Tag.string.rawValue)
            w.varint(UInt64(utf8.count))
            w.raw(UnsafeRawBufferPointer(utf8))
        }
    }

    package mutating func integer(_ v: Int64) { write(bound: 11) { $0.u8(FieldValue.Tag.integer.rawValue); $0.zigzag(v) } }

    /// A decimal whose value is the integer `v`.
    package mutating func decimal(_ v: Int64) {
        v.withDecimalDigits { digits in
            write(bound: 11 + digits.count) { w in
                w.u8(FieldValue.Tag.decimal.rawValue)
                w.varint(UInt64(digits.count))
                w.raw(UnsafeRawBufferPointer(digits))
            }
        }
    }

    /// A decimal given as its canonical text (log-format/SPEC.md §3.1).
    package mutating func decimalText(_ text: UnsafeBufferPointer<UInt8>) {
        write(bound: 11 + text.count) { w in
            w.u8(FieldValue.Tag.decimal.rawValue)
            w.varint(UInt64(text.count))
            w.raw(UnsafeRawBufferPointer(text))
        }
    }

    package mutating func timestamp(microseconds: Int64) {
        write(bound: 11) { $0.u8(FieldValue.Tag.timestamp.rawValue); $0.zigzag(microseconds) }
    }

    package mutating func value(_ v: FieldValue) { write(bound: v.encodedUpperBound) { v.write(into: &$0) } }

    /// The canonical text (§3.2) of value `i` (in stored order), nil when it is null.
    package func canonicalText(ofValue i: Int) -> String? {
        let v = decodeValue(at: starts[i])
        return v.isNull ? nil : v.canonicalText
    }

    /// The row written since ``begin(_:)``, and its record id (§4) for `entity` and the key fields
    /// `keyFields`, whose values are values `keyPositions` (in stored order), not null.
    package mutating func finish(entity: String, keyFields: [String], keyPositions: [Int]) -> (fields: EncodedFields, recordID: XXH128) {
        let recordID = keyPositions.withUnsafeBufferPointer { positions in
            EventIdentity.recordID(entity: entity, keyFields: keyFields, textBound: { keyText(positions[$0]).bound }) { k, w in
                switch keyText(positions[k]) {
                case .stored(let text): w.escaped(text)
                case .integer(let v): v.withDecimalDigits { w.raw(UnsafeRawBufferPointer($0)) }
                case .other(let text): w.escaped(text)
                }
            }
        }
        if block.map({ $0.capacity - $0.used < position }) ?? true {
            block = EncodedFields.Block(capacity: max(Self.blockBytes, position))
        }
        let b = block!
        (b.base + b.used).copyMemory(from: base, byteCount: position)
        let fields = EncodedFields(block: b, offset: b.used, count: position)
        b.used += position
        return (fields, recordID)
    }

    /// The size of a block of finished rows: a few hundred rows of a POS table.
    static let blockBytes = 64 << 10

    /// The canonical text of a key value, as it sits in the buffer where it can.
    private enum KeyText {
        /// A string or decimal: its stored text is its canonical text.
        case stored(UnsafeRawBufferPointer)
        case integer(Int64)
        case other(String)

        var bound: Int {
            switch self {
            case .stored(let t): t.count
            case .integer: 20
            case .other(let t): t.utf8.count
            }
        }
    }

    private func keyText(_ i: Int) -> KeyText {
        let start = starts[i]
        let tag = base.load(fromByteOffset: start, as: UInt8.self)
        if tag == FieldValue.Tag.string.rawValue || tag == FieldValue.Tag.decimal.rawValue {
            var r = ByteReader(UnsafeRawBufferPointer(start: base, count: position), position: start + 1)
            guard let n = try? r.length("text"), let text = try? r.bytes(n) else { preconditionFailure("a value written here does not decode") }
            return .stored(text)
        }
        let v = decodeValue(at: start)
        if case .integer(let i) = v { return .integer(i) }
        return .other(v.canonicalText)
    }

    private func decodeValue(at start: Int) -> FieldValue {
        var r = ByteReader(UnsafeRawBufferPointer(start: base, count: position), position: start)
        do { return try FieldValue.decode(from: &r) } catch { preconditionFailure("a value written here does not decode: \(error)") }
    }
}
