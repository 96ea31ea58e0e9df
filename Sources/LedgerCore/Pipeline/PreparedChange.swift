import Dispatch
package import LedgerLog

/// A source change after the work that needs no delta state: normalized, turned into its event, with
/// the record id and data hash computed. What is left (classification against the state, planning the
/// commit) must run in order; this part may run on any thread.
package enum PreparedChange: Sendable, Equatable {
    case upsert(NewEvent, XXH128, Digest32)
    case delete(NewEvent, XXH128, Digest32)
    case failure(DeadLetter)

    /// The record the change names; nil for a dead letter.
    @inline(__always)
    var recordID: XXH128? {
        switch self {
        case .upsert(_, let id, _), .delete(_, let id, _): id
        case .failure: nil
        }
    }

    init(
        _ change: SourceChange, normalizers: [String: Normalizer], mapping: SourceMapping,
        source: String, now: Timestamp
    ) {
        var plans = RowPlans(normalizers: normalizers)
        self.init(change, plans: &plans, mapping: mapping, source: source, now: now)
    }

    /// `plans` holds the normalizers and column plans met so far: a batch's rows share a few.
    init(_ change: SourceChange, plans: inout RowPlans, mapping: SourceMapping, source: String, now: Timestamp) {
        switch change {
        case .row(let row):
            var counters = NormalizationCounters()
            if let (encoded, keyFields) = plans.encode(row, counters: &counters) {
                self = .encoded(encoded, source: source, entity: row.entity, keyFields: keyFields)
                return
            }
            guard let (result, keyPositions) = plans.normalize(row, counters: &counters) else {
                self = .failure(DeadLetter(source: source, row: row, failure: NormalizationFailure(
                    .mapping, field: nil, reason: "no mapping for entity \(row.entity)"), seenAt: now))
                return
            }
            switch result {
            case .failure(let f):
                self = .failure(DeadLetter(source: source, row: row, failure: f, seenAt: now))
            case .success(let n):
                // The normalizer's rows keep the event's rules: names in order, keys present and not
                // null (key fields are required), timestamps in range.
                let event = NewEvent(normalizedUpsert: source, entity: n.entity, keyFields: n.keyFields,
                                     keyPositions: keyPositions, rowversion: n.rowversion, sortedFields: n.fields)
                self = .upsert(event, event.recordID, EventIdentity.dataHash(of: event))
            }
        case .delete(let d):
            func letter(_ layer: String, _ field: String?, _ reason: String) -> PreparedChange {
                .failure(DeadLetter(source: source, entity: d.entity, position: d.position, layer: layer, field: field,
                                    reason: reason, raw: d.rawJSON, seenAt: now))
            }
            guard let normalizer = plans.normalizers[d.entity], let entity = mapping.entity(d.entity) else {
                self = letter("mapping", nil, "no mapping for entity \(d.entity)")
                return
            }
            switch normalizer.normalizeKey(columns: d.keyColumns, values: d.keyValues) {
            case .failure(let f):
                self = letter(f.layer.rawValue, f.field, f.reason)
            case .success(let keyFields):
                guard let event = try? NewEvent(op: .delete, source: source, entity: d.entity, keyFields: entity.key, fields: keyFields) else {
                    self = letter("mapping", nil, "the delete does not carry the key \(entity.key.joined(separator: ","))")
                    return
                }
                self = .delete(event, event.recordID, EventIdentity.dataHash(of: event))
            }
        case .malformed(let m):
            self = .failure(DeadLetter(source: source, malformed: m, seenAt: now))
        }
    }

    /// The upsert of a row the normalizer wrote as bytes.
    static func encoded(_ e: EncodedUpsert, source: String, entity: String, keyFields: [String]) -> PreparedChange {
        let event = NewEvent(encodedUpsert: source, entity: entity, keyFields: keyFields, rowversion: e.rowversion,
                             fields: e.fields, recordID: e.recordID)
        return .upsert(event, e.recordID, e.fields.withUnsafeBytes { RecordCodec.dataHash($0) })
    }

    /// Prepares `changes` in chunks on all cores; the chunks keep their order.
    static func prepareAll(
        _ changes: [SourceChange], normalizers: [String: Normalizer], mapping: SourceMapping,
        source: String, now: Timestamp
    ) -> [[PreparedChange?]] {
        // Each change is read in place: a `for` loop over the slice copied it (a reference count for
        // every string and array of the row, and as many again to drop the copy).
        changes.withUnsafeBufferPointer { changes in
            nonisolated(unsafe) let changes = changes
            return prepareAll(count: changes.count, normalizers: normalizers) { range, plans, part in
                for i in range { part.append(PreparedChange(changes[i], plans: &plans, mapping: mapping, source: source, now: now)) }
            }
        }
    }

    /// Prepares the records of `block` in chunks on all cores; the chunks keep their order. A row the
    /// normalizer can write straight to its event's bytes is, read in place; any other record is made
    /// the change it stands for and prepared as one.
    static func prepareAll(
        _ block: TextRowBlock, normalizers: [String: Normalizer], mapping: SourceMapping, source: String, now: Timestamp
    ) -> [[PreparedChange?]] {
        prepareAll(count: block.count, normalizers: normalizers) { range, plans, part in
            let p = plans.plan(entity: block.entity, columns: block.columns)
            // The block's buffers are taken once per chunk: per row, their reference counts were
            // shared by both preparing threads.
            block.withRecords { records in
                for r in range {
                    var counters = NormalizationCounters()
                    if records.isRow(r), let (encoded, keyFields) = plans.encode(plan: p, entity: block.entity, values: records.values(r), counters: &counters) {
                        part.append(.encoded(encoded, source: source, entity: block.entity, keyFields: keyFields))
                    } else {
                        part.append(PreparedChange(block.change(r), plans: &plans, mapping: mapping, source: source, now: now))
                    }
                }
            }
        }
    }

    /// `prepare(range, &plans, &part)` over `0..<count` in chunks of 512 on all cores, each chunk
    /// with its own plans; the chunks keep their order.
    private static func prepareAll(
        count: Int, normalizers: [String: Normalizer],
        _ prepare: @Sendable (Range<Int>, inout RowPlans, inout [PreparedChange?]) -> Void
    ) -> [[PreparedChange?]] {
        let chunk = 512
        let chunks = (count + chunk - 1) / chunk
        guard chunks > 1 else {
            var plans = RowPlans(normalizers: normalizers)
            var part: [PreparedChange?] = []
            prepare(0..<count, &plans, &part)
            return [part]
        }
        var parts = [[PreparedChange?]](repeating: [], count: chunks)
        parts.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let range = c * chunk..<min(count, (c + 1) * chunk)
                var part: [PreparedChange?] = []
                part.reserveCapacity(range.count)
                var plans = RowPlans(normalizers: normalizers)
                prepare(range, &plans, &part)
                out[c] = part
            }
        }
        return parts
    }
}

/// The stateless half of applying changes (``PreparedChange``), shareable with the thread that
/// fetches the next batch: normalizing and hashing a batch can then overlap the commit of the one
/// before it.
package struct ChangePreparer: Sendable {
    let normalizers: [String: Normalizer]
    let mapping: SourceMapping

    package init(mapping: SourceMapping) throws(SyncError) {
        do { normalizers = try Normalizer.all(for: mapping) } catch {
            throw SyncError(.mapping, context: error.file ?? "mapping", cause: "\(error)")
        }
        self.mapping = mapping
    }

    /// Dead letters come out without their log offset: the ordered stage stamps each with the head
    /// it is refused at.
    func prepare(_ changes: [SourceChange], source: String, now: Timestamp) -> [[PreparedChange?]] {
        PreparedChange.prepareAll(changes, normalizers: normalizers, mapping: mapping, source: source, now: now)
    }

    /// One change.
    func prepare(_ change: SourceChange, source: String, now: Timestamp) -> PreparedChange {
        PreparedChange(change, normalizers: normalizers, mapping: mapping, source: source, now: now)
    }

    /// Every change of `batch` prepared, in order, as the pipeline prepares them.
    package func prepare(_ batch: SourceBatch, source: String, now: Timestamp) -> [PreparedChange] {
        var fetched = FetchedBatch(batch: batch, retries: 0, fetchedAt: now, prepared: [])
        fetched = prepare(fetched, source: source)
        return fetched.prepared.flatMap { $0.compactMap { $0 } }
    }

    /// `fetched` with its changes prepared: ``SourceBatch/listedChanges``, then the records of
    /// ``SourceBatch/textRows``.
    func prepare(_ fetched: FetchedBatch, source: String) -> FetchedBatch {
        var out = fetched
        out.prepared = prepare(fetched.batch.listedChanges, source: source, now: fetched.fetchedAt)
        if let block = fetched.batch.textRows {
            out.prepared += PreparedChange.prepareAll(block, normalizers: normalizers, mapping: mapping, source: source, now: fetched.fetchedAt)
        }
        return out
    }
}
