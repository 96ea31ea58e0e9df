import LedgerLog

/// The normalizer and column plan of each entity and column list met so far, for the rows of one
/// chunk: a batch of change-log rows alternates between a few.
struct RowPlans: ~Copyable {
    let normalizers: [String: Normalizer]
    private var plans: [(entity: String, columns: [String], normalizer: Normalizer?, indexes: [Int])] = []
    private var writer = EncodedFieldsWriter()

    init(normalizers: [String: Normalizer]) { self.normalizers = normalizers }

    /// `row` normalized by its entity's normalizer, with that normalizer's key positions; nil when
    /// the mapping has no such entity.
    mutating func normalize(
        _ row: SourceRow, counters: inout NormalizationCounters
    ) -> (Result<NormalizedRow, NormalizationFailure>, keyPositions: [Int])? {
        let p = plan(of: row)
        // Read in place: the plan's normalizer and column plan are not copied out.
        return plans.withUnsafeBufferPointer { b in
            guard let n = b[p].normalizer else { return nil }
            return (n.normalize(row, columnIndexes: b[p].indexes, counters: &counters), n.keyPositions)
        }
    }

    /// `row` as its event stores it (``Normalizer/encode(_:columnIndexes:counters:into:)``), with its
    /// entity's key fields; nil when the row must take ``normalize(_:counters:)``.
    mutating func encode(_ row: SourceRow, counters: inout NormalizationCounters) -> (EncodedUpsert, keyFields: [String])? {
        row.values.withUnsafeBufferPointer { values in
            encode(entity: row.entity, columns: row.columns, values: RawValueRow(values: values), counters: &counters)
        }
    }

    /// ``encode(_:counters:)`` of a row of `entity` with `columns`, whose values `values` holds.
    mutating func encode(
        entity: String, columns: [String], values: some TextRowValues, counters: inout NormalizationCounters
    ) -> (EncodedUpsert, keyFields: [String])? {
        encode(plan: plan(entity: entity, columns: columns), entity: entity, values: values, counters: &counters)
    }

    /// ``encode(entity:columns:values:counters:)`` with the plan of the row's entity and columns
    /// (``plan(entity:columns:)``) already looked up.
    mutating func encode(
        plan p: Int, entity: String, values: some TextRowValues, counters: inout NormalizationCounters
    ) -> (EncodedUpsert, keyFields: [String])? {
        plans.withUnsafeBufferPointer { b in
            guard let n = b[p].normalizer,
                  let encoded = n.encode(entity: entity, values: values, columnIndexes: b[p].indexes, counters: &counters, into: &writer)
            else { return nil }
            return (encoded, n.key)
        }
    }

    private mutating func plan(of row: SourceRow) -> Int { plan(entity: row.entity, columns: row.columns) }

    /// The index of the plan of rows of `entity` with `columns`, made when first met.
    mutating func plan(entity: String, columns: [String]) -> Int {
        // Compared in place: `firstIndex(where:)` handed each plan to its closure as a copy.
        let found: Int? = plans.withUnsafeBufferPointer { b in
            for i in b.indices where b[i].entity == entity && b[i].columns == columns { return i }
            return nil
        }
        if let found { return found }
        let normalizer = normalizers[entity]
        plans.append((entity, columns, normalizer, normalizer?.mappingLayer.columnIndexes(for: columns) ?? []))
        return plans.count - 1
    }
}
