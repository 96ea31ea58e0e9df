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
    public let fields: [Field]
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
        // Sources that emit fields in name order (the normalizer does) skip the sort.
        var ascending = true
        for i in fields.indices.dropFirst() where !fields[i - 1].name.utf8Precedes(fields[i].name) {
            ascending = false
            break
        }
        let sorted = ascending ? fields : fields.sorted { $0.name.utf8Precedes($1.name) }
        if !ascending {
            for i in sorted.indices.dropFirst() where sorted[i].name.utf8Equals(sorted[i - 1].name) {
                throw EventError(.duplicateField, field: sorted[i].name)
            }
        }
        for f in sorted {
            if case .timestamp(let t) = f.value, !t.isRepresentable { throw EventError(.timestampOutOfRange, field: f.name) }
        }
        if op == .checkpoint {
            guard keyFields.isEmpty else { throw EventError(.checkpointHasKey, field: keyFields[0]) }
        } else {
            guard !keyFields.isEmpty else { throw EventError(.missingKey, field: nil) }
            for (i, k) in keyFields.enumerated() {
                for j in 0..<i where keyFields[j].utf8Equals(k) { throw EventError(.duplicateField, field: k) }
                guard let f = sorted.first(where: { $0.name.utf8Equals(k) }) else { throw EventError(.keyFieldMissing, field: k) }
                guard !f.value.isNull else { throw EventError(.keyFieldNull, field: k) }
            }
        }
        self.op = op
        self.source = source
        self.entity = entity
        self.keyFields = keyFields
        self.rowversion = rowversion
        self.fields = sorted
        recordID = EventIdentity.recordID(op: op, source: source, entity: entity, keyFields: keyFields, fields: sorted)
    }

    /// A checkpoint recording `source`'s position, for example `["watermark": ...]`.
    public static func checkpoint(source: String, entity: String = "", fields: [Field]) throws(EventError) -> NewEvent {
        try NewEvent(op: .checkpoint, source: source, entity: entity, keyFields: [], fields: fields)
    }

    public func value(of name: String) -> FieldValue? { fields.first { $0.name.utf8Equals(name) }?.value }
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
