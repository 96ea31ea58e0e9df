import Dispatch
import Synchronization

/// The two stages of the sync pipeline that need no delta state, each on its own thread, ahead of
/// the ordered stage that classifies and commits: one thread fetches batch after batch from the
/// source (each from the cursor of the one before), another prepares each fetched batch
/// (``ChangePreparer``, on all cores). At most two batches wait between stages (one smoothed the
/// stages' uneven batch times less), so memory stays a few batches whatever the source holds.
///
/// The source is used by the fetching thread alone, from ``init(first:fetch:prepare:)`` until the
/// stream has ended: the last batch (`hasMore` false) or an error was taken, or ``finish()`` returned.
final class BatchStream: @unchecked Sendable {
    private let fetched = Handoff<Result<FetchedBatch, SyncError>>()
    private let prepared = Handoff<Result<FetchedBatch, SyncError>>()
    private let cancelled = Atomic<Bool>(false)
    private let running = DispatchGroup()
    private var ended = false

    /// Starts fetching after `first`. `fetch` returns an unprepared batch (``FetchedBatch/prepared``
    /// empty); `prepare` fills it in.
    init(
        first: SourceCursor?,
        fetch: @escaping (SourceCursor?) throws(SyncError) -> FetchedBatch,
        prepare: @escaping @Sendable (FetchedBatch) -> FetchedBatch
    ) {
        let source = UncheckedFetch(fetch)
        // Each stage gets a queue of its own: a serial queue has a thread of its own, where a block
        // on the global queue can wait behind the caller's task for the width of the pool.
        DispatchQueue(label: "ledger.sync.fetch").async(group: running) { [self] in
            var cursor = first
            while true {
                if cancelled.load(ordering: .acquiring) {
                    fetched.put(nil)
                    return
                }
                let r: Result<FetchedBatch, SyncError>
                do throws(SyncError) { r = .success(try source.fetch(cursor)) } catch { r = .failure(error) }
                fetched.put(r)
                guard case .success(let b) = r, b.batch.hasMore else { return }
                cursor = b.batch.cursor
            }
        }
        DispatchQueue(label: "ledger.sync.prepare").async(group: running) { [self] in
            while true {
                guard let r = fetched.take() else {
                    prepared.put(nil)
                    return
                }
                let out = r.map(prepare)
                prepared.put(out)
                guard case .success(let b) = out, b.batch.hasMore else { return }
            }
        }
    }

    /// The next batch, prepared, in source order; throws the fetch's error in its place.
    func next() throws(SyncError) -> FetchedBatch {
        guard let r = prepared.take() else { preconditionFailure("BatchStream read after its end") }
        switch r {
        case .success(let b): if !b.batch.hasMore { ended = true }
        case .failure: ended = true
        }
        return try r.get()
    }

    /// Stops fetching (a batch already being fetched completes) and waits until both threads are
    /// done; the stream's batches not yet taken are dropped.
    func finish() {
        if !ended {
            cancelled.store(true, ordering: .releasing)
            while let r = prepared.take(), case .success(let b) = r, b.batch.hasMore {}
            ended = true
        }
        running.wait()
    }

    /// A closure over the non-Sendable source, handed to exactly one other thread.
    private struct UncheckedFetch: @unchecked Sendable {
        let fetch: (SourceCursor?) throws(SyncError) -> FetchedBatch
        init(_ fetch: @escaping (SourceCursor?) throws(SyncError) -> FetchedBatch) { self.fetch = fetch }
    }
}

/// A small bounded handoff between two threads: `put` waits while it is full, `take` while it is
/// empty; nil marks a stage that stopped early.
private final class Handoff<Value: Sendable>: Sendable {
    private let slots = Mutex<[Value?]>([])
    private let free: DispatchSemaphore
    private let full = DispatchSemaphore(value: 0)

    init(depth: Int = 2) { free = DispatchSemaphore(value: depth) }

    func put(_ value: Value?) {
        free.wait()
        slots.withLock { $0.append(value) }
        full.signal()
    }

    func take() -> Value? {
        full.wait()
        let value = slots.withLock { $0.removeFirst() }
        free.signal()
        return value
    }
}
