import LedgerLog

/// The normalizer and column plan of each entity and column list met so far, for the rows of one
/// chunk: a batch of change-log rows alternates between a few.
struct RowPlans: ~Copyable {
    let normalizers: [String: Normalizer]
    /// Per plan: the normalizer, held unretained (``normalizers`` keeps it), the column plan, and the
    /// entity's key fields, which every event holds. The normalizer and its arrays are shared by the
    /// preparing threads, and a reference count taken on one of them for each row was a cache miss.
    private var plans: [(entity: String, columns: [String], normalizer: Unmanaged<Normalizer>?, indexes: [Int], keyFields: [String])] = []
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
            b[p].normalizer?._withUnsafeGuaranteedRef { n in
                (n.normalize(row, columnIndexes: b[p].indexes, counters: &counters), n.keyPositions)
            }
        }
    }

    /// `row` as its event stores it (``Normalizer/encode(_:columnIndexes:counters:into:)``), with its
    /// entity's key fields; nil when the row must take ``normalize(_:counters:)``.
    mutating func encode(_ row: SourceRow, counters: inout NormalizationCounters) -> (EncodedUpsert, keyFields: [String])? {
        let p = plan(of: row)
        return row.values.withUnsafeBufferPointer { values in
            encode(plan: p, entity: row.entity, values: RawValueRow(values: values), counters: &counters)
        }
    }

    /// ``encode(_:counters:)`` of a row of `entity` whose values `values` holds, with the plan of
    /// its entity and columns (``plan(entity:columns:)``) already looked up.
    mutating func encode(
        plan p: Int, entity: String, values: some TextRowValues, counters: inout NormalizationCounters
    ) -> (EncodedUpsert, keyFields: [String])? {
        plans.withUnsafeBufferPointer { b in
            let encoded = b[p].normalizer?._withUnsafeGuaranteedRef { n in
                n.encode(entity: entity, values: values, columnIndexes: b[p].indexes, counters: &counters, into: &writer)
            }
            guard let encoded else { return nil }
            return (encoded, b[p].keyFields)
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
        // The column plan and key fields are copied into arrays of the chunk's own: the normalizer's
        // are shared by the preparing threads, and so would be the reference counts taken per row.
        plans.append((entity, columns, normalizer.map(Unmanaged.passUnretained),
                      (normalizer?.mappingLayer.columnIndexes(for: columns) ?? []).map { $0 },
                      normalizer.map { n in n.key.map { $0 } } ?? []))
        return plans.count - 1
    }
}
