import Dispatch

/// Folds the active segment's event hashes into its Merkle accumulator on a background queue, so
/// the two extra SHA-256 per event stay off the append path. Only its queue touches the state.
final class MerkleWorker: @unchecked Sendable {
    private let queue = DispatchQueue(label: "ledger.merkle")
    /// nil when the segment's earlier hashes are unknown (after a reopen): the root is then computed
    /// by reading the segment at seal time.
    private var accumulator: MerkleAccumulator?

    init(known: Bool) { accumulator = known ? MerkleAccumulator() : nil }

    /// Batches handed over but not folded yet, at most: a writer that outruns the worker waits
    /// rather than queueing hashes without bound (the writer's memory must not grow with the log).
    private let backlog = DispatchSemaphore(value: 16)

    func add(_ hashes: [Digest32]) {
        backlog.wait()
        queue.async { [self] in
            defer { backlog.signal() }
            guard accumulator != nil else { return }
            for h in hashes { accumulator!.append(h) }
        }
    }

    /// Waits for pending hashes and returns the accumulator (nil if unknown).
    func drain() -> MerkleAccumulator? {
        queue.sync { accumulator }
    }

    func reset(known: Bool) {
        queue.sync { accumulator = known ? MerkleAccumulator() : nil }
    }
}
