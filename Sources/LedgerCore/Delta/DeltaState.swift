public import LedgerLog

/// The delta stage's memory: for every record its newest event's data hash, rowversion and offset,
/// and for every source the cursor of its newest checkpoint.
///
/// The log is the truth: this state is a fold over the log's events (``apply(_:)``) and can always be
/// rebuilt from offset 0. A snapshot of it (``DeltaStateSnapshot``) only saves the replay.
public struct DeltaState: Sendable {
    /// Entity names; ``RecordState/entity`` indexes this array.
    public private(set) var entities: [String] = []
    private var entityIndex: [String: UInt16] = [:]
    /// Keyed by record id (XXH3-128 of the entity and canonical key).
    public private(set) var records = RecordTable()
    /// Source name → the cursor in its newest checkpoint.
    public private(set) var cursors: [String: SourceCursor] = [:]
    /// The log offset this state has seen up to (exclusive).
    public private(set) var nextOffset: UInt64 = 0
    /// The hash of the event at `nextOffset - 1` (zero when empty): ties a snapshot to its log.
    public private(set) var lastHash: Digest32 = .zero
    /// The saved snapshot this state was loaded from, if any: a save then writes only the records
    /// changed since (``DeltaStateSnapshot``).
    var snapshotMark: DeltaStateSnapshot.Mark?
    /// True while a save may write a journal over ``snapshotMark``: the records changed since are
    /// those the table holds in its own slots over the snapshot's image (``RecordTable/ownRecords``),
    /// and they are fewer than a quarter of all records (at least 16,384).
    var journalsOwnRecords = false
    /// The position at which the snapshot files (with the journal) held exactly this state, when it
    /// was loaded from them with nothing to replay: a save at that position has nothing to write.
    var savedAt: DeltaStateSnapshot.Mark?
    /// True while a commit's events are folded in before the log has them, and for good when that
    /// commit failed: the state may then hold events the log does not, and is never saved.
    public internal(set) var holdsFailedCommit = false

    public init() {}

    public mutating func entityID(_ name: String) -> UInt16 {
        // A log has a handful of entities: comparing beats hashing the name.
        if entities.count <= 8 {
            for i in entities.indices where entities[i] == name { return UInt16(i) }
        }
        if let i = entityIndex[name] { return i }
        let i = UInt16(entities.count)
        entities.append(name)
        entityIndex[name] = i
        return i
    }

    /// Live records of `entity`.
    public func liveCount(of entity: String) -> Int {
        guard let e = entityIndex[entity] else { return 0 }
        return records.reduce(0) { $0 + ($1.value.entity == e && !$1.value.deleted ? 1 : 0) }
    }

    /// Record ids of the live records of `entity`, with their newest offsets.
    public func liveRecords(of entity: String) -> [(id: XXH128, offset: UInt64)] {
        guard let e = entityIndex[entity] else { return [] }
        return records.compactMap { $0.value.entity == e && !$0.value.deleted ? ($0.key, $0.value.offset) : nil }
    }

    public func record(_ id: XXH128) -> RecordState? { records[id] }

    /// What starts loading the places of records in the state (``RecordTable/prefetcher``); take it
    /// once for many records: each use of the state from a closure may copy it.
    var prefetcher: RecordPrefetcher { records.prefetcher }

    /// Folds one event of the log into the state. Events must come in offset order.
    public mutating func apply(_ event: LogEvent) {
        switch event.op {
        case .checkpoint:
            cursors[event.source] = SourceCursor(checkpointFields: event.fields)
        case .upsert, .delete:
            let e = entityID(event.entity)
            noteChanged()
            records.set(event.recordID, RecordState(
                entity: e, deleted: event.op == .delete, dataHash: event.dataHash,
                rowversion: event.rowversion, offset: event.offset))
        }
        nextOffset = event.offset + 1
        lastHash = event.hash
    }

    /// Records an event this process just appended (the same fold as ``apply(_:)`` without decoding).
    public mutating func applyAppended(
        recordID: XXH128, entity: String, op: EventOp, dataHash: Digest32, rowversion: String?, offset: UInt64
    ) {
        let e = entityID(entity)
        noteChanged()
        records.set(recordID, RecordState(entity: e, deleted: op == .delete, dataHash: dataHash, rowversion: rowversion, offset: offset))
    }

    private mutating func noteChanged() {
        if journalsOwnRecords, records.setSinceLoad >= max(16_384, records.countUpperBound / 4) { journalsOwnRecords = false }
    }

    /// Records a checkpoint this process just appended.
    public mutating func applyCheckpoint(source: String, cursor: SourceCursor) {
        cursors[source] = cursor
    }

    /// Moves the state's position after an append.
    public mutating func advance(to nextOffset: UInt64, lastHash: Digest32) {
        self.nextOffset = nextOffset
        self.lastHash = lastHash
    }

    /// Compares a row's identity and data with the record's newest event.
    public func classify(
        upsert recordID: XXH128, dataHash: Digest32, rowversion: String?, strategy: DeltaStrategy
    ) -> DeltaKind {
        guard let r = records[recordID], !r.deleted else { return .new }
        if strategy == .rowversion, let rv = rowversion, let old = r.rowversion {
            return rv == old ? .unchanged : .updated
        }
        return r.dataHash == dataHash ? .unchanged : .updated
    }

    public func classify(delete recordID: XXH128) -> DeltaKind {
        guard let r = records[recordID], !r.deleted else { return .alreadyGone }
        return .deleted
    }
}

extension DeltaState {
    mutating func reserveRecords(_ n: Int) { records.reserveCapacity(n) }
    /// Makes room for `n` more records to be set (new, or changed since a snapshot was loaded) without
    /// the table growing step by step.
    mutating func reserveRecords(additional n: Int) { records.reserveCapacity(records.setSinceLoad + n) }
    /// Takes a snapshot's records, read in place.
    mutating func restore(image: RecordTableImage) { records = RecordTable(image: image) }
    mutating func restore(_ id: XXH128, entity: UInt16, deleted: Bool, dataHash: Digest32, rowversion: String?, offset: UInt64) {
        records.set(id, entity: entity, deleted: deleted, dataHash: dataHash, rowversion: rowversion, offset: offset)
    }

    /// Folds in a journal: the records it holds (with their entities renumbered into this state's),
    /// its cursors and its position.
    mutating func merge(journal j: DeltaState) {
        let ids = j.entities.map { entityID($0) }
        for (id, r) in j.records {
            var r = r
            r.entity = ids[Int(r.entity)]
            records.set(id, r)
        }
        for (source, cursor) in j.cursors { cursors[source] = cursor }
        advance(to: j.nextOffset, lastHash: j.lastHash)
    }
}
