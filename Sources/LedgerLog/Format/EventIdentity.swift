/// Business-key identity: the canonical key, bk_hash and record id of log-format/SPEC.md §4.
public enum EventIdentity {
    /// Appends the canonical key: `name=text|name=text…` in declared key order, with `\`, `|` and `=`
    /// escaped by a backslash; for a checkpoint `source=<source>`.
    public static func writeCanonicalKey(
        op: EventOp, source: String, keyFields: [String], into w: inout ByteWriter, value: (String) -> FieldValue?
    ) {
        if op == .checkpoint {
            w.raw("source=".utf8)
            appendEscaped(source, to: &w)
            return
        }
        for (i, k) in keyFields.enumerated() {
            if i > 0 { w.u8(UInt8(ascii: "|")) }
            appendEscaped(k, to: &w)
            w.u8(UInt8(ascii: "="))
            appendEscaped((value(k) ?? .null).canonicalText, to: &w)
        }
    }

    @inline(__always)
    static func appendEscaped(_ s: String, to w: inout ByteWriter) {
        for b in s.utf8 {
            if b == UInt8(ascii: "\\") || b == UInt8(ascii: "|") || b == UInt8(ascii: "=") { w.u8(UInt8(ascii: "\\")) }
            w.u8(b)
        }
    }

    public static func canonicalKey(
        op: EventOp, source: String, keyFields: [String], value: (String) -> FieldValue?
    ) -> String {
        var w = ByteWriter(capacity: 64)
        writeCanonicalKey(op: op, source: source, keyFields: keyFields, into: &w, value: value)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Builds a canonical key from field names and values given as text (for `ledger audit`).
    public static func canonicalKey(_ pairs: [(name: String, text: String)]) -> String {
        var w = ByteWriter(capacity: 64)
        for (i, p) in pairs.enumerated() {
            if i > 0 { w.u8(UInt8(ascii: "|")) }
            appendEscaped(p.name, to: &w)
            w.u8(UInt8(ascii: "="))
            appendEscaped(p.text, to: &w)
        }
        return String(decoding: w.bytes, as: UTF8.self)
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

    /// The record id of an event about to be appended, built in `scratch` without a String.
    static func recordID(of e: borrowing NewEvent, scratch: ScratchBuffer) -> XXH128 {
        var bound = e.entity.utf8.count + 1 + 2 * (7 + e.source.utf8.count)
        for k in e.keyFields { bound += 2 * k.utf8.count + 2 }
        for f in e.fields { bound += 2 * f.value.canonicalTextUpperBound }
        scratch.reserve(bound, keeping: 0)
        var w = RawWriter(scratch.pointer)
        var entity = e.entity
        entity.withUTF8 { w.raw(UnsafeRawBufferPointer($0)) }
        w.u8(0)
        if e.op == .checkpoint {
            "source=".utf8.withContiguousStorageIfAvailable { w.raw(UnsafeRawBufferPointer($0)) }
            w.escaped(e.source)
        } else {
            for (i, k) in e.keyFields.enumerated() {
                if i > 0 { w.u8(UInt8(ascii: "|")) }
                w.escaped(k)
                w.u8(UInt8(ascii: "="))
                switch e.value(of: k) ?? .null {
                case .string(let s): w.escaped(s)
                case .decimal(let d): w.escaped(d.text)
                case let other: w.escaped(other.canonicalText)
                }
            }
        }
        return XXH128.hash(scratch.bytes(0..<w.position))
    }

    public static func recordID(of e: NewEvent) -> XXH128 {
        recordID(of: e, scratch: ScratchBuffer(capacity: 64))
    }

    public static func canonicalKey(of e: NewEvent) -> String {
        canonicalKey(op: e.op, source: e.source, keyFields: e.keyFields) { e.value(of: $0) }
    }

    /// The data_hash an event will have once appended: SHA-256 of its encoded fields (§4).
    public static func dataHash(of e: NewEvent) -> Digest32 {
        var w = ByteWriter(capacity: 256)
        RecordCodec.encodeFields(e.fields, into: &w)
        return w.bytes.withUnsafeBytes { RecordCodec.dataHash($0) }
    }
}
