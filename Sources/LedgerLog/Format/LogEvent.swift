/// An event read back from the log, with its derived values.
public struct LogEvent: Sendable, Hashable {
    public var offset: UInt64
    public var time: Timestamp
    public var op: EventOp
    public var source: String
    public var entity: String
    public var keyFields: [String]
    public var rowversion: String?
    public var fields: [Field]
    /// The event hash (log-format/SPEC.md §5).
    public var hash: Digest32
    /// SHA-256 of the stored field bytes (§4).
    public var dataHash: Digest32

    public func value(of name: String) -> FieldValue? {
        fields.withUnsafeBufferPointer { b in
            for i in b.indices where b[i].name.utf8Equals(name) { return b[i].value }
            return nil
        }
    }

    /// The key fields with their values, in declared order.
    public var key: [Field] {
        keyFields.map { Field($0, value(of: $0) ?? .null) }
    }

    public var canonicalKey: String {
        EventIdentity.canonicalKey(op: op, source: source, keyFields: keyFields) { value(of: $0) }
    }

    public var bkHash: XXH128 { EventIdentity.bkHash(canonicalKey: canonicalKey) }

    public var recordID: XXH128 { EventIdentity.recordID(entity: entity, canonicalKey: canonicalKey) }
}
