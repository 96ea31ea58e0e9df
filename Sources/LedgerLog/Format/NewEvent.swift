/// An event to append: everything but its offset, commit time and hashes, which the log assigns.
///
/// The initializer sorts the fields into canonical order and checks the rules of
/// log-format/SPEC.md §3: unique names, key fields present and not null.
public struct NewEvent: Sendable, Hashable {
    public let op: EventOp
    public let source: String
    public let entity: String
    public let keyFields: [String]
    public let rowversion: String?
    /// Sorted by the UTF-8 bytes of their names.
    public var fields: [Field] { encodedFields.map(RecordCodec.trustedFields) ?? storedFields }
    /// The fields, unless ``encodedFields`` holds them.
    let storedFields: [Field]
    /// The `fields` section as stored (SPEC §3), when the producer wrote it (``EncodedFieldsWriter``).
    package let encodedFields: EncodedFields?
    /// The record id (SPEC §4) of the entity and canonical key, computed once here: the delta stage
    /// and the writer's key index both need it.
    public let recordID: XXH128

    public init(
        op: EventOp = .upsert,
        source: String,
        entity: String,
        keyFields: [String],
        rowversion: String? = nil,
        fields: [Field]
    ) throws(EventError) {
        // Sources that emit fields in name order (the normalizer does) skip the sort. The checks
        // read the fields in place: copying a Field costs two reference counts.
        let ascending = fields.withUnsafeBufferPointer { b in
            for i in b.indices.dropFirst() where !b[i - 1].name.utf8Precedes(b[i].name) { return false }
            return true
        }
        let sorted = ascending ? fields : fields.sorted { $0.name.utf8Precedes($1.name) }
        try sorted.withUnsafeBufferPointer { (b) throws(EventError) in
            if !ascending {
                for i in b.indices.dropFirst() where b[i].name.utf8Equals(b[i - 1].name) {
                    throw EventError(.duplicateField, field: b[i].name)
                }
            }
            for i in b.indices {
                if case .timestamp(let t) = b[i].value, !t.isRepresentable { throw EventError(.timestampOutOfRange, field: b[i].name) }
            }
            if op == .checkpoint {
                guard keyFields.isEmpty else { throw EventError(.checkpointHasKey, field: keyFields[0]) }
            } else {
                guard !keyFields.isEmpty else { throw EventError(.missingKey, field: nil) }
                for (i, k) in keyFields.enumerated() {
                    for j in 0..<i where keyFields[j].utf8Equals(k) { throw EventError(.duplicateField, field: k) }
                    var found = false
                    for j in b.indices where b[j].name.utf8Equals(k) {
                        guard !b[j].value.isNull else { throw EventError(.keyFieldNull, field: k) }
                        found = true
                        break
                    }
                    guard found else { throw EventError(.keyFieldMissing, field: k) }
                }
            }
        }
        self.op = op
        self.source = source
        self.entity = entity
        self.keyFields = keyFields
        self.rowversion = rowversion
        storedFields = sorted
        encodedFields = nil
        recordID = EventIdentity.recordID(op: op, source: source, entity: entity, keyFields: keyFields, fields: sorted)
    }

    /// An upsert from fields that already keep every rule the public initializer checks: names
    /// strictly ascending by UTF-8 bytes, timestamps within the years 0001–9999, and key field `k`
    /// (in declared order) at `fields[keyPositions[k]]`, not null. The normalizer builds its rows so;
    /// the checks and the key fields' lookups by name were about 7% of a CSV import's CPU. Debug
    /// builds still check.
    package init(
        normalizedUpsert source: String, entity: String, keyFields: [String], keyPositions: [Int], rowversion: String?,
        sortedFields fields: [Field]
    ) {
        assert((try? NewEvent(op: .upsert, source: source, entity: entity, keyFields: keyFields, rowversion: rowversion,
                              fields: fields))?.fields == fields, "the fields break a rule of NewEvent")
        assert(keyPositions.count == keyFields.count && zip(keyFields, keyPositions).allSatisfy { fields[$1].name == $0 },
               "the key positions do not name the key fields")
        op = .upsert
        self.source = source
        self.entity = entity
        self.keyFields = keyFields
        self.rowversion = rowversion
        storedFields = fields
        encodedFields = nil
        recordID = EventIdentity.recordID(entity: entity, keyFields: keyFields, keyPositions: keyPositions, fields: fields)
    }

    /// An upsert whose `fields` section an ``EncodedFieldsWriter`` wrote, with the record id it
    /// gave. The section keeps the same rules as ``init(normalizedUpsert:entity:keyFields:keyPositions:rowversion:sortedFields:)``;
    /// debug builds check them.
    package init(encodedUpsert source: String, entity: String, keyFields: [String], rowversion: String?, fields: EncodedFields, recordID: XXH128) {
        op = .upsert
        self.source = source
        self.entity = entity
        self.keyFields = keyFields
        self.rowversion = rowversion
        storedFields = []
        encodedFields = fields
        self.recordID = recordID
        assert((try? NewEvent(op: .upsert, source: source, entity: entity, keyFields: keyFields, rowversion: rowversion,
                              fields: self.fields)).map { $0.recordID == recordID && $0.fields == self.fields } == true,
               "the encoded fields break a rule of NewEvent, or the record id is not theirs")
    }

    /// Events are equal when all their parts are, however their fields are held.
    public static func == (a: NewEvent, b: NewEvent) -> Bool {
        guard a.op == b.op, a.recordID == b.recordID, a.source == b.source, a.entity == b.entity,
              a.keyFields == b.keyFields, a.rowversion == b.rowversion else { return false }
        if let x = a.encodedFields, let y = b.encodedFields { return x == y }
        return a.fields == b.fields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(op)
        hasher.combine(recordID)
        hasher.combine(entity)
    }

    /// A checkpoint recording `source`'s position, for example `["watermark": ...]`.
    public static func checkpoint(source: String, entity: String = "", fields: [Field]) throws(EventError) -> NewEvent {
        try NewEvent(op: .checkpoint, source: source, entity: entity, keyFields: [], fields: fields)
    }

    public func value(of name: String) -> FieldValue? {
        fields.withUnsafeBufferPointer { b in
            for i in b.indices where b[i].name.utf8Equals(name) { return b[i].value }
            return nil
        }
    }
}

/// Why an event could not be built.
public struct EventError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case duplicateField = "duplicate field"
        case missingKey = "no key fields declared"
        case keyFieldMissing = "key field missing from the payload"
        case keyFieldNull = "key field is null"
        case checkpointHasKey = "a checkpoint has no key fields"
        case timestampOutOfRange = "timestamp outside the years 0001-9999"
    }

    public var code: Code
    public var field: String?

    public init(_ code: Code, field: String?) {
        self.code = code
        self.field = field
    }

    public var description: String { field.map { "\(code.rawValue): \($0)" } ?? code.rawValue }
}
