import Synchronization

/// The mapping layer: which source column feeds which field, and the rules for absent values.
///
/// Validates an entity mapping's structure (a key of known, distinct fields, a known rowversion field,
/// bounds only on numeric fields), finds each field's column in a row's column array — once per
/// distinct array, cached, since the rows of one table share theirs — and turns null into the
/// field's default or, for required and key fields, a failure naming the field.
public struct MappingLayer: Sendable {
    public let mapping: EntityMapping
    /// Positions in ``EntityMapping/fields`` of the key fields, in key order.
    public let keyIndexes: [Int]
    /// Position of the rowversion field, if the entity has one.
    public let rowversionIndex: Int?
    /// Per field: required, or part of the key.
    public let required: [Bool]
    private let plans: ColumnPlans

    public init(_ mapping: EntityMapping) throws(MappingError) {
        let path = "entities.\(mapping.entity)"
        var positions: [String: Int] = [:]
        for (i, f) in mapping.fields.enumerated() {
            guard positions.updateValue(i, forKey: f.name) == nil else {
                throw MappingError(.duplicate, field: "\(path).fields.\(f.name)", message: "field \"\(f.name)\" is declared twice")
            }
            let numeric = f.type == .decimal || f.type == .integer
            if f.minimum != nil, !numeric {
                throw MappingError(.invalidValue, field: "\(path).fields.\(f.name).minimum", message: "bounds apply only to decimal and integer fields, not \(f.type.rawValue)")
            }
            if f.maximum != nil, !numeric {
                throw MappingError(.invalidValue, field: "\(path).fields.\(f.name).maximum", message: "bounds apply only to decimal and integer fields, not \(f.type.rawValue)")
            }
            if let lo = f.minimum, let hi = f.maximum, hi < lo {
                throw MappingError(.invalidValue, field: "\(path).fields.\(f.name).maximum", message: "maximum \(hi) is below minimum \(lo)")
            }
        }
        guard !mapping.key.isEmpty else {
            throw MappingError(.invalidValue, field: "\(path).key", message: "the key names no field")
        }
        var keyIndexes: [Int] = []
        for k in mapping.key {
            guard let i = positions[k] else {
                throw MappingError(.unknownField, field: "\(path).key", message: "key field \"\(k)\" is not a field of \(mapping.entity)")
            }
            guard !keyIndexes.contains(i) else {
                throw MappingError(.duplicate, field: "\(path).key", message: "key field \"\(k)\" is listed twice")
            }
            keyIndexes.append(i)
        }
        var rowversionIndex: Int? = nil
        if let rv = mapping.rowversion {
            guard let i = positions[rv] else {
                throw MappingError(.unknownField, field: "\(path).rowversion", message: "rowversion field \"\(rv)\" is not a field of \(mapping.entity)")
            }
            rowversionIndex = i
        }
        self.mapping = mapping
        self.keyIndexes = keyIndexes
        self.rowversionIndex = rowversionIndex
        self.required = mapping.fields.enumerated().map { i, f in f.required || keyIndexes.contains(i) }
        self.plans = ColumnPlans(fieldColumns: mapping.fields.map(\.column))
    }

    /// For each field, the index of its column in `columns`, or -1 when the row has no such column.
    @inline(__always)
    public func columnIndexes(for columns: [String]) -> [Int] { plans.indexes(for: columns) }

    /// The failure for a required or key field that is null (`columnMissing`: the row lacks its column).
    public func missing(fieldAt i: Int, columnMissing: Bool) -> NormalizationFailure {
        let f = mapping.fields[i]
        let what = keyIndexes.contains(i) ? "key field" : "required field"
        let reason = columnMissing
            ? "\(what) \(f.name) is missing: the row has no column \"\(f.column)\""
            : "\(what) \(f.name) is null"
        return NormalizationFailure(.mapping, field: f.name, reason: reason)
    }
}

/// Column index plans per distinct column array, behind a lock; a hit is one array comparison,
/// which for the shared array of a table's rows is a buffer identity check.
final class ColumnPlans: Sendable {
    private let fieldColumns: [String]
    private let cache = Mutex<[(columns: [String], indexes: [Int])]>([])
    private static let capacity = 8

    init(fieldColumns: [String]) { self.fieldColumns = fieldColumns }

    func indexes(for columns: [String]) -> [Int] {
        if let hit = cache.withLock({ c in c.first { $0.columns == columns }?.indexes }) { return hit }
        var position: [String: Int] = [:]
        for (i, c) in columns.enumerated() where position[c] == nil { position[c] = i }
        let indexes = fieldColumns.map { position[$0] ?? -1 }
        cache.withLock { c in
            if c.count == Self.capacity { c.removeFirst() }
            c.append((columns, indexes))
        }
        return indexes
    }
}
