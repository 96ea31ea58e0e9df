/// Business-key identity: the canonical key, bk_hash and record id of log-format/SPEC.md §4.
public enum EventIdentity {
    public static func canonicalKey(
        op: EventOp, source: String, keyFields: [String], value: (String) -> FieldValue?
    ) -> String {
        if op == .checkpoint { return "source=" + source }
        var s = ""
        for (i, k) in keyFields.enumerated() {
            if i > 0 { s += "|" }
            s += k
            s += "="
            s += value(k)?.canonicalText ?? ""
        }
        return s
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

    /// The record id of an event about to be appended.
    public static func recordID(of e: NewEvent) -> XXH128 {
        recordID(entity: e.entity, canonicalKey: canonicalKey(of: e))
    }

    public static func canonicalKey(of e: NewEvent) -> String {
        canonicalKey(op: e.op, source: e.source, keyFields: e.keyFields) { e.value(of: $0) }
    }
}

extension EventIdentity {
    /// The data_hash an event will have once appended: SHA-256 of its encoded fields (§4).
    public static func dataHash(of e: NewEvent) -> Digest32 {
        var w = ByteWriter(capacity: 256)
        w.varint(UInt64(e.fields.count))
        for f in e.fields {
            w.str(f.name)
            f.value.encode(into: &w)
        }
        return w.bytes.withUnsafeBytes { RecordCodec.dataHash($0) }
    }
}
