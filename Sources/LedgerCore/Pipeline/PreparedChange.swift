import Dispatch
import LedgerLog

/// A source change after the work that needs no delta state: normalized, turned into its event, with
/// the record id and data hash computed. What is left (classification against the state, planning the
/// commit) must run in order; this part may run on any thread.
enum PreparedChange: Sendable {
    case upsert(NewEvent, XXH128, Digest32)
    case delete(NewEvent, XXH128, Digest32)
    case failure(DeadLetter)

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
                let event = NewEvent(encodedUpsert: source, entity: row.entity, keyFields: keyFields, rowversion: encoded.rowversion,
                                     fields: encoded.fields, recordID: encoded.recordID)
                self = .upsert(event, encoded.recordID, encoded.fields.withUnsafeBytes { RecordCodec.dataHash($0) })
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

    /// Prepares `changes` in chunks on all cores; the chunks keep their order.
    static func prepareAll(
        _ changes: [SourceChange], normalizers: [String: Normalizer], mapping: SourceMapping,
        source: String, now: Timestamp
    ) -> [[PreparedChange?]] {
        let chunk = 512
        let chunks = (changes.count + chunk - 1) / chunk
        guard chunks > 1 else {
            var plans = RowPlans(normalizers: normalizers)
            return [changes.map { PreparedChange($0, plans: &plans, mapping: mapping, source: source, now: now) }]
        }
        var parts = [[PreparedChange?]](repeating: [], count: chunks)
        parts.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let range = c * chunk..<min(changes.count, (c + 1) * chunk)
                var part: [PreparedChange?] = []
                part.reserveCapacity(range.count)
                var plans = RowPlans(normalizers: normalizers)
                // Each change is read in place: a `for` loop over the slice copied it (a reference
                // count for every string and array of the row, and as many again to drop the copy).
                changes.withUnsafeBufferPointer { changes in
                    for i in range {
                        part.append(PreparedChange(changes[i], plans: &plans, mapping: mapping, source: source, now: now))
                    }
                }
                out[c] = part
            }
        }
        return parts
    }
}

/// The stateless half of applying changes (``PreparedChange``), shareable with the thread that
/// fetches the next batch: normalizing and hashing a batch can then overlap the commit of the one
/// before it.
struct ChangePreparer: Sendable {
    let normalizers: [String: Normalizer]
    let mapping: SourceMapping

    init(mapping: SourceMapping) throws(SyncError) {
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

    /// `fetched` with its changes prepared.
    func prepare(_ fetched: FetchedBatch, source: String) -> FetchedBatch {
        var out = fetched
        out.prepared = prepare(fetched.batch.changes, source: source, now: fetched.fetchedAt)
        return out
    }
}
