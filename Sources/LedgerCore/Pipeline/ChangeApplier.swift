public import LedgerLog

/// Turns source changes into events: normalizes, classifies against the ``DeltaState`` and collects
/// the changed records; ``commit(checkpoint:)`` appends them (with a checkpoint) in one append and
/// folds them into the state.
///
/// Used by ``SyncPipeline`` for each fetch, and by dead-letter retries.
public final class ChangeApplier {
    public var mapping: SourceMapping { preparer.mapping }
    public let strategy: DeltaStrategy
    /// The delta state, current with every commit.
    public private(set) var state: DeltaState
    public let writer: LogWriter
    let preparer: ChangePreparer
    private var plan = CommitPlan()
    /// Per entity whose snapshot started in this run, the records met since.
    private var seen: [String: Set<XXH128>]?
    private var snapshotsSeenFromStart: Set<String> = []

    public init(mapping: SourceMapping, writer: LogWriter, state: DeltaState, strategy: DeltaStrategy = .hash) throws(SyncError) {
        guard state.nextOffset == writer.head.nextOffset else {
            throw SyncError(.state, context: writer.directory,
                            cause: "the delta state is at offset \(state.nextOffset) but the log's head is \(writer.head.nextOffset)")
        }
        self.strategy = strategy
        self.state = state
        self.writer = writer
        self.preparer = try ChangePreparer(mapping: mapping)
    }

    /// Makes room in the delta state for `n` more changed records (a source's estimate).
    func reserveRecords(additional n: Int) { state.reserveRecords(additional: n) }

    /// Events planned for the next commit.
    public var pendingCount: Int { plan.events.count }

    /// Starts remembering which records each change names, for ``deleteMissing(entity:source:counters:)``.
    public func startTrackingSnapshots() { if seen == nil { seen = [:] } }

    /// A complete snapshot of `entity` starts: forget what was seen before.
    public func snapshotStarted(entity: String) {
        guard seen != nil else { return }
        seen![entity] = []
        snapshotsSeenFromStart.insert(entity)
    }

    /// Plans one change. Returns the dead letter when it cannot be applied, and otherwise the index of
    /// its planned event within the next commit (nil when nothing changes).
    ///
    /// - Parameter supersededFrom: for a retried row, the log head when it was refused: if its record
    ///   has an event from that offset on, the row is older than what the log holds and is skipped.
    public func add(
        _ change: SourceChange, source: String, now: Timestamp, supersededFrom: UInt64? = nil, counters: inout SyncCounters
    ) -> Result<Int?, DeadLetter> {
        add(preparer.prepare(change, source: source, now: now), supersededFrom: supersededFrom, known: state, counters: &counters)
    }

    /// Adds changes prepared by ``preparer`` (the per-row work that needs no state, done on all
    /// cores), in order, as ``add(_:source:now:supersededFrom:counters:)`` does one by one, and
    /// returns their dead letters.
    ///
    /// The changes are moved, not copied, into the next commit: a copied event cost a reference count
    /// per string and array it holds, and another to free the copy.
    func add(prepared chunks: consuming [[PreparedChange?]], counters: inout SyncCounters) -> [DeadLetter] {
        var letters: [DeadLetter] = []
        var chunks = consume chunks
        holdingState { known in
            let prefetcher = known.prefetcher
            for c in chunks.indices {
                for i in chunks[c].indices {
                    // The record of the change a few ahead starts loading while this one is classified.
                    let ahead = i + Self.prefetchDistance
                    if ahead < chunks[c].count {
                        if let id = chunks[c][ahead]?.recordID { prefetcher.prefetchTag(id) }
                    } else if c + 1 < chunks.count, ahead - chunks[c].count < chunks[c + 1].count {
                        if let id = chunks[c + 1][ahead - chunks[c].count]?.recordID { prefetcher.prefetchTag(id) }
                    }
                    guard let change = chunks[c][i].take() else { continue }
                    if case .failure(let letter) = add(change, supersededFrom: nil, known: known, counters: &counters) { letters.append(letter) }
                }
            }
        }
        return letters
    }

    /// How many changes ahead the ordered stage starts loading a record's place in the delta state.
    static let prefetchDistance = 12

    /// Runs `body` with the delta state held in a local for its duration: working on the struct
    /// stored in this class copied it for every row (a reference count per buffer it holds) and
    /// checked each access at run time.
    private func holdingState<R>(_ body: (inout DeltaState) -> R) -> R {
        var known = DeltaState()
        swap(&known, &state)
        defer { swap(&known, &state) }
        return body(&known)
    }

    /// A refused change's dead letter gets the log head it was refused at.
    ///
    /// - Parameter known: the delta state (``state``, or the batch's own hold of it).
    private func add(
        _ prepared: consuming PreparedChange, supersededFrom: UInt64?, known: borrowing DeltaState, counters: inout SyncCounters
    ) -> Result<Int?, DeadLetter> {
        switch consume prepared {
        case .upsert(let event, let rid, let dataHash):
            return .success(upsert(event, recordID: rid, dataHash: dataHash, supersededFrom: supersededFrom, known: known, counters: &counters))
        case .delete(let event, let rid, let dataHash):
            return .success(delete(event, recordID: rid, dataHash: dataHash, supersededFrom: supersededFrom, known: known, counters: &counters))
        case .failure(var letter):
            letter.logOffset = known.nextOffset
            return .failure(letter)
        }
    }

    public func deleteMissing(entity: String, source: String, counters: inout SyncCounters) throws(SyncError) {
        guard let seenAll = seen, snapshotsSeenFromStart.remove(entity) != nil else { return }
        let seenHere = seenAll[entity] ?? []
        var missing = state.liveRecords(of: entity).filter { !seenHere.contains($0.id) && plan.pending[$0.id] == nil }
        seen?[entity] = nil
        guard !missing.isEmpty else { return }
        missing.sort { $0.offset < $1.offset }
        do {
            let reader = try LogReader(directory: writer.directory)
            for m in missing {
                guard let last = try reader.event(at: m.offset),
                      let event = try? NewEvent(op: .delete, source: source, entity: entity, keyFields: last.keyFields, fields: last.key)
                else { continue }
                _ = delete(event, recordID: event.recordID, dataHash: EventIdentity.dataHash(of: event),
                           supersededFrom: nil, known: state, counters: &counters)
            }
        } catch {
            throw SyncError(.log, context: writer.directory, cause: "\(error)")
        }
    }

    /// Appends the planned events, and the checkpoint if given, in one append. Returns the offset of
    /// the first planned event (nil when nothing was appended). `beforeWrite` runs before the
    /// events are written (``LogWriter/append(_:beforeWrite:meanwhile:)``).
    ///
    /// The delta state takes the events in while the writer makes them durable; if the append
    /// fails, the state stays marked ``DeltaState/holdsFailedCommit`` and is not saved.
    @discardableResult
    public func commit(
        checkpoint: (source: String, cursor: SourceCursor)? = nil, beforeWrite: (@Sendable () throws(LogError) -> Void)? = nil
    ) throws(SyncError) -> UInt64? {
        guard !state.holdsFailedCommit else {
            throw SyncError(.state, context: writer.directory,
                            cause: "an earlier commit failed and the delta state may hold its events; reopen the log to reload the state")
        }
        if let checkpoint {
            do { plan.checkpoint(try checkpoint.cursor.checkpointEvent(source: checkpoint.source), cursor: checkpoint.cursor) } catch {
                throw SyncError(.source, context: checkpoint.source, cause: "its cursor cannot be stored: \(error)")
            }
        }
        defer { plan.reset() }
        guard !plan.events.isEmpty else {
            if let beforeWrite {
                do { try beforeWrite() } catch { throw SyncError(.log, context: writer.directory, cause: "\(error)") }
            }
            return nil
        }
        let expected = writer.head.nextOffset
        let receipt: AppendReceipt
        state.holdsFailedCommit = true
        do {
            receipt = try writer.append(plan.events, beforeWrite: beforeWrite) { [self] in
                // The events are read in place: copying each one cost five reference counts.
                holdingState { known in
                    let prefetcher = known.prefetcher
                    plan.events.withUnsafeBufferPointer { events in
                        plan.applied.withUnsafeBufferPointer { applied in
                            for i in applied.indices {
                                if i + Self.prefetchDistance < applied.count, let ahead = applied[i + Self.prefetchDistance] {
                                    prefetcher.prefetch(ahead.recordID)
                                }
                                guard let a = applied[i] else { continue }
                                known.applyAppended(recordID: a.recordID, entity: events[i].entity, op: events[i].op, dataHash: a.dataHash,
                                                    rowversion: events[i].rowversion, offset: expected + UInt64(i))
                            }
                        }
                    }
                }
            }
        } catch {
            throw SyncError(.log, context: writer.directory, cause: "\(error)")
        }
        guard receipt.firstOffset == expected else {
            throw SyncError(.state, context: writer.directory,
                            cause: "appended at \(receipt.firstOffset), expected \(expected): another writer?")
        }
        if let checkpoint { state.applyCheckpoint(source: checkpoint.source, cursor: checkpoint.cursor) }
        state.advance(to: receipt.nextOffset, lastHash: receipt.chainHead)
        state.holdsFailedCommit = false
        return receipt.firstOffset
    }

    private func upsert(
        _ event: consuming NewEvent, recordID rid: XXH128, dataHash: Digest32, supersededFrom: UInt64?, known: borrowing DeltaState,
        counters: inout SyncCounters
    ) -> Int? {
        if isSuperseded(rid, from: supersededFrom, known: known) {
            counters.superseded += 1
            return nil
        }
        if seen != nil { seen![event.entity, default: []].insert(rid) }
        let kind: DeltaKind
        if let pending = plan.pending[rid] {
            kind = pending.deleted ? .new : (pending.dataHash == dataHash ? .unchanged : .updated)
        } else {
            kind = known.classify(upsert: rid, dataHash: dataHash, rowversion: event.rowversion, strategy: strategy)
        }
        switch kind {
        case .new: counters.inserts += 1
        case .updated: counters.updates += 1
        default:
            counters.unchanged += 1
            return nil
        }
        return plan.add(event, recordID: rid, dataHash: dataHash)
    }

    private func delete(
        _ event: consuming NewEvent, recordID rid: XXH128, dataHash: Digest32, supersededFrom: UInt64?, known: borrowing DeltaState,
        counters: inout SyncCounters
    ) -> Int? {
        if isSuperseded(rid, from: supersededFrom, known: known) {
            counters.superseded += 1
            return nil
        }
        if seen != nil { seen![event.entity, default: []].insert(rid) }
        let live = plan.pending[rid].map { !$0.deleted } ?? (known.classify(delete: rid) == .deleted)
        guard live else {
            counters.alreadyGone += 1
            return nil
        }
        counters.deletes += 1
        return plan.add(event, recordID: rid, dataHash: dataHash)
    }
}

extension ChangeApplier {
    /// Whether the record has an event from offset `from` on (or one planned in this commit).
    fileprivate func isSuperseded(_ rid: XXH128, from: UInt64?, known: borrowing DeltaState) -> Bool {
        guard let from else { return false }
        return plan.pending[rid] != nil || (known.record(rid).map { $0.offset >= from } ?? false)
    }
}

/// The events of one commit, and what each does to the delta state.
struct CommitPlan {
    var events: [NewEvent] = []
    /// Per event: the record id and data hash (nil for the checkpoint).
    var applied: [(recordID: XXH128, dataHash: Digest32)?] = []
    /// The newest planned state of each record touched in this commit.
    var pending: [XXH128: (deleted: Bool, dataHash: Digest32)] = [:]

    mutating func add(_ event: consuming NewEvent, recordID: XXH128, dataHash: Digest32) -> Int {
        pending[recordID] = (event.op == .delete, dataHash)
        events.append(event)
        applied.append((recordID, dataHash))
        return events.count - 1
    }

    /// Empties the plan for the next batch, keeping the storage of its size. The events, moved in
    /// from their batch, are freed on another thread, off the ordered stage's path.
    mutating func reset() {
        if !events.isEmpty {
            var spent: [NewEvent] = []
            spent.reserveCapacity(events.capacity)
            swap(&spent, &events)
            OffPathRelease.free(spent)
        }
        applied.removeAll(keepingCapacity: true)
        pending.removeAll(keepingCapacity: true)
    }

    mutating func checkpoint(_ event: NewEvent, cursor: SourceCursor) {
        events.append(event)
        applied.append(nil)
    }
}
