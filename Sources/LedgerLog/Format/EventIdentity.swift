#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Business-key identity: the canonical key, bk_hash and record id of log-format/SPEC.md §4.
public enum EventIdentity {
    /// The (name, canonical text) pairs a canonical key is made of: the key fields in declared order,
    /// or for a checkpoint the single pair `source`.
    static func keyPairs(op: EventOp, source: String, keyFields: [String], value: (String) -> FieldValue?) -> [(String, String)] {
        if op == .checkpoint { return [("source", source)] }
        return keyFields.map { ($0, (value($0) ?? .null).canonicalText) }
    }

    /// An upper bound of the canonical key's length (every byte escaped).
    static func keyBound(_ pairs: [(String, String)]) -> Int {
        pairs.reduce(0) { $0 + 2 * ($1.0.utf8.count + $1.1.utf8.count) + 2 }
    }

    /// Writes `name=text|name=text…` with `\`, `|` and `=` escaped by a backslash.
    static func writeCanonicalKey(_ pairs: [(String, String)], into w: inout RawWriter) {
        for (i, (name, text)) in pairs.enumerated() {
            if i > 0 { w.u8(UInt8(ascii: "|")) }
            w.escaped(name)
            w.u8(UInt8(ascii: "="))
            w.escaped(text)
        }
    }

    /// Builds a canonical key from field names and values given as text (for `ledger audit`).
    public static func canonicalKey(_ pairs: [(name: String, text: String)]) -> String {
        let pairs = pairs.map { ($0.name, $0.text) }
        var w = ByteWriter(capacity: 64)
        w.appendRaw(bound: keyBound(pairs)) { writeCanonicalKey(pairs, into: &$0) }
        return String(decoding: w.bytes, as: UTF8.self)
    }

    public static func canonicalKey(
        op: EventOp, source: String, keyFields: [String], value: (String) -> FieldValue?
    ) -> String {
        canonicalKey(keyPairs(op: op, source: source, keyFields: keyFields, value: value).map { (name: $0.0, text: $0.1) })
    }

    public static func bkHash(canonicalKey: String) -> XXH128 {
        var k = canonicalKey
        return k.withUTF8 { XXH128.hash(UnsafeRawBufferPointer($0)) }
    }

    public static func recordID(entity: String, canonicalKey: String) -> XXH128 {
        var w = ByteWriter(capacity: entity.utf8.count + canonicalKey.utf8.count + 1)
        w.raw(entity.utf8)
        w.u8(0)
        w.raw(canonicalKey.utf8)
        return XXH128.hash(w.bytes)
    }

    /// The record id of an event's key, built on the stack without a String (and, for key values
    /// held as text, without any allocation).
    static func recordID(op: EventOp, source: String, entity: String, keyFields: [String], fields: [Field]) -> XXH128 {
        if op == .checkpoint { return recordID(entity: entity, canonicalKey: canonicalKey(op: op, source: source, keyFields: []) { _ in nil }) }
        return fields.withUnsafeBufferPointer { fields in
            recordID(entity: entity, keyFields: keyFields, fields: fields) { k in fieldIndex(keyFields[k], in: fields) }
        }
    }

    /// ``recordID(op:source:entity:keyFields:fields:)`` of a record whose key field `k` (in key order)
    /// is `fields[keyPositions[k]]`.
    static func recordID(entity: String, keyFields: [String], keyPositions: [Int], fields: [Field]) -> XXH128 {
        fields.withUnsafeBufferPointer { fields in
            keyPositions.withUnsafeBufferPointer { positions in
                recordID(entity: entity, keyFields: keyFields, fields: fields) { k in positions[k] }
            }
        }
    }

    /// The record id with the position of key field `k` in `fields` given by `position(k)` (nil:
    /// the field is absent, its text empty).
    @inline(__always)
    private static func recordID(
        entity: String, keyFields: [String], fields: UnsafeBufferPointer<Field>, position: (Int) -> Int?
    ) -> XXH128 {
        recordID(entity: entity, keyFields: keyFields, textBound: { k in position(k).map { textBound(fields[$0].value) } ?? 0 },
                 writeText: { k, w in if let i = position(k) { writeText(fields[i].value, into: &w) } })
    }

    /// The record id of `entity` and the key fields `keyFields`, on the stack: `textBound(k)` bounds
    /// the UTF-8 length of key field `k`'s canonical text, and `writeText(k, w)` writes it escaped.
    @inline(__always)
    static func recordID(
        entity: String, keyFields: [String], textBound: (Int) -> Int, writeText: (Int, inout RawWriter) -> Void
    ) -> XXH128 {
        keyFields.withUnsafeBufferPointer { keys in
            var bound = entity.utf8.count + 1
            for k in keys.indices { bound += 2 * (keys[k].utf8.count + textBound(k)) + 2 }
            return withUnsafeTemporaryAllocation(byteCount: bound, alignment: 1) { buffer in
                var w = RawWriter(buffer.baseAddress!)
                entity.withUTF8Bytes { w.raw(UnsafeRawBufferPointer($0)) }
                w.u8(0)
                for k in keys.indices {
                    if k > 0 { w.u8(UInt8(ascii: "|")) }
                    w.escaped(keys[k])
                    w.u8(UInt8(ascii: "="))
                    writeText(k, &w)
                }
                precondition(w.position <= bound, "record id key written past its bound")
                return XXH128.hash(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<w.position]))
            }
        }
    }

    /// The index of the field named `name` (byte equality), if any.
    @inline(__always)
    private static func fieldIndex(_ name: String, in fields: UnsafeBufferPointer<Field>) -> Int? {
        name.withUTF8Bytes { n in
            // Index by index: `firstIndex(where:)` would hand each Field to its closure as a copy.
            for i in fields.indices {
                let equal = fields[i].name.withUTF8Bytes { x in
                    x.count == n.count && (n.count == 0 || memcmp(x.baseAddress!, n.baseAddress!, n.count) == 0)
                }
                if equal { return i }
            }
            return nil
        }
    }

    /// An upper bound of the UTF-8 length of `v`'s canonical text.
    @inline(__always)
    private static func textBound(_ v: FieldValue) -> Int {
        switch v {
        case .string(let s), .json(let s): s.utf8.count
        case .decimal(let d): d.text.utf8.count
        case .integer: 20
        case .null: 0
        default: v.canonicalText.utf8.count
        }
    }

    /// Writes `v`'s canonical text (§3.2), escaped.
    @inline(__always)
    private static func writeText(_ v: FieldValue, into w: inout RawWriter) {
        switch v {
        case .string(let s), .json(let s): w.escaped(s)
        case .decimal(let d): w.escaped(d.text)
        case .integer(let i): i.withDecimalDigits { w.raw(UnsafeRawBufferPointer($0)) }
        case .null: break
        default: w.escaped(v.canonicalText)
        }
    }

    public static func canonicalKey(of e: NewEvent) -> String {
        canonicalKey(op: e.op, source: e.source, keyFields: e.keyFields) { e.value(of: $0) }
    }

    /// The data_hash an event will have once appended: SHA-256 of its encoded fields (§4).
    public static func dataHash(of e: NewEvent) -> Digest32 {
        if let encoded = e.encodedFields { return encoded.withUnsafeBytes { RecordCodec.dataHash($0) } }
        return dataHash(fields: e.storedFields)
    }

    /// The data hash of an event with `fields`. It takes the fields alone: a closure capturing the
    /// whole event copied it (a reference count on each of its strings and arrays, for every event).
    static func dataHash(fields: [Field]) -> Digest32 {
        // Encoded in a temporary buffer: on the stack for a row of a POS table, no allocation per
        // event (the standard library moves a buffer too large for the stack to the heap).
        withUnsafeTemporaryAllocation(byteCount: RecordCodec.fieldsUpperBound(fields), alignment: 1) { buffer in
            var w = RawWriter(buffer.baseAddress!)
            RecordCodec.writeFields(fields, into: &w)
            return RecordCodec.dataHash(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<w.position]))
        }
    }
}
