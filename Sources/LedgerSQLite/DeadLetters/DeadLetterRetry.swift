public import LedgerCore
public import LedgerLog

/// Re-normalizes open dead letters with the current mapping and appends the ones that now pass.
public struct DeadLetterRetry {
    /// What a retry did.
    public struct Outcome: Sendable, Hashable {
        /// Letters that became events (or turned out unchanged) and are now resolved.
        public var resolved = 0
        /// Letters still refused, with their new reason.
        public var stillRefused = 0
        /// Input that never was a row (a broken CSV line): it cannot be retried, only imported again.
        public var notRetryable = 0
        public var counters = SyncCounters()
    }

    public let store: DeadLetterStore
    public let applier: ChangeApplier

    public init(store: DeadLetterStore, applier: ChangeApplier) {
        self.store = store
        self.applier = applier
    }

    /// Retries the open letters (all, or only `ids`), committing the repaired events in one append.
    public func run(ids: [Int64]? = nil, entity: String? = nil, now: Timestamp) throws(SyncError) -> Outcome {
        var outcome = Outcome()
        var letters: [StoredDeadLetter] = []
        do {
            if let ids {
                for id in ids {
                    if let e = try store.entry(id: id), e.status == .open { letters.append(e) }
                }
            } else {
                letters = try store.list(status: .open, entity: entity)
            }
        } catch { throw SyncError(deadLetters: error) }

        var resolved: [(id: Int64, index: Int?)] = []
        for stored in letters {
            guard let change = stored.letter.change else {
                outcome.notRetryable += 1
                continue
            }
            let result = applier.add(change, source: stored.letter.source, now: now,
                                     supersededFrom: stored.letter.logOffset, counters: &outcome.counters)
            switch result {
            case .success(let index):
                resolved.append((stored.id, index))
            case .failure(let again):
                outcome.stillRefused += 1
                do { try store.refuseAgain(id: stored.id, layer: again.layer, field: again.field, reason: again.reason, at: now) } catch {
                    throw SyncError(deadLetters: error)
                }
            }
        }
        let first = try applier.commit()
        do {
            for r in resolved {
                try store.resolve(id: r.id, offset: r.index.flatMap { i in first.map { $0 + UInt64(i) } })
            }
        } catch { throw SyncError(deadLetters: error) }
        outcome.resolved = resolved.count
        return outcome
    }
}
