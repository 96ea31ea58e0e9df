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

    /// The record id of an event about to be appended, built in `scratch` without a String.
    static func recordID(of e: borrowing NewEvent, scratch: ScratchBuffer) -> XXH128 {
        let pairs = keyPairs(op: e.op, source: e.source, keyFields: e.keyFields) { e.value(of: $0) }
        scratch.reserve(e.entity.utf8.count + 1 + keyBound(pairs), keeping: 0)
        var w = RawWriter(scratch.pointer)
        var entity = e.entity
        entity.withUTF8 { w.raw(UnsafeRawBufferPointer($0)) }
        w.u8(0)
        writeCanonicalKey(pairs, into: &w)
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
