/// The normalizer and column plan of each entity and column list met so far, for the rows of one
/// chunk: a batch of change-log rows alternates between a few.
struct RowPlans {
    let normalizers: [String: Normalizer]
    private var plans: [(entity: String, columns: [String], normalizer: Normalizer?, indexes: [Int])] = []

    init(normalizers: [String: Normalizer]) { self.normalizers = normalizers }

    /// `row` normalized by its entity's normalizer, with that normalizer's key positions; nil when
    /// the mapping has no such entity.
    mutating func normalize(
        _ row: SourceRow, counters: inout NormalizationCounters
    ) -> (Result<NormalizedRow, NormalizationFailure>, keyPositions: [Int])? {
        var p = plans.firstIndex { $0.entity == row.entity && $0.columns == row.columns }
        if p == nil {
            let normalizer = normalizers[row.entity]
            plans.append((row.entity, row.columns, normalizer, normalizer?.mappingLayer.columnIndexes(for: row.columns) ?? []))
            p = plans.count - 1
        }
        // Read in place: the plan's normalizer and column plan are not copied out.
        return plans.withUnsafeBufferPointer { b in
            guard let n = b[p!].normalizer else { return nil }
            return (n.normalize(row, columnIndexes: b[p!].indexes, counters: &counters), n.keyPositions)
        }
    }
}
