public import LedgerLog
public import Logging

/// Fetches changes from a source and commits each fetch, with its checkpoint, in one append.
///
/// A crash at any point loses nothing and repeats nothing: the checkpoint goes into the same append
/// as the events it covers, so a restart resumes from the last checkpoint in the log, and anything
/// the source delivers twice is unchanged by data hash and appends nothing. Dead letters are
/// recorded before the append; recording one twice replaces it.
public final class SyncPipeline {
    public let source: any ChangeSource
    public let configuration: SyncConfiguration
    public let applier: ChangeApplier
    private let deadLetters: any DeadLetterSink
    private let logger: Logger
    private let clock: LogClock
    private let metrics: SyncMetrics
    private let fetcher: SourceFetcher

    /// - Parameters:
    ///   - state: the delta state at the writer's head (``DeltaStateSnapshot/load(directory:head:progress:)``).
    ///   - sleep: waits between retries, in seconds; injected so tests need not wait.
    public init(
        source: any ChangeSource,
        mapping: SourceMapping,
        writer: LogWriter,
        deadLetters: any DeadLetterSink,
        state: DeltaState,
        configuration: SyncConfiguration = .init(),
        clock: LogClock = .system,
        sleep: @escaping @Sendable (Double) -> Void = SyncPipeline.threadSleep,
        logger: Logger
    ) throws(SyncError) {
        self.applier = try ChangeApplier(mapping: mapping, writer: writer, state: state, strategy: configuration.strategy)
        if configuration.trackSnapshots { applier.startTrackingSnapshots() }
        self.source = source
        self.configuration = configuration
        self.deadLetters = deadLetters
        self.clock = clock
        self.logger = logger
        self.metrics = SyncMetrics(source: source.name)
        self.fetcher = SourceFetcher(source: source, configuration: configuration, clock: clock, sleep: sleep, logger: logger)
    }

    public var state: DeltaState { applier.state }

    public static let threadSleep: @Sendable (Double) -> Void = { seconds in usleepSeconds(seconds) }

    /// Fetches and commits until the source has nothing more, calling `progress` after each commit.
    @discardableResult
    public func runUntilCaughtUp(progress: ((SyncCounters) -> Void)? = nil) throws(SyncError) -> SyncCounters {
        var total = SyncCounters()
        let started = clock.now()
        // While a batch is applied and committed, the next is prepared and the one after fetched,
        // each from the cursor of the batch before it: the cursor the state holds after that
        // batch's commit (or already held, when nothing was committed).
        let stream = fetcher.stream(from: applier.state.cursors[source.name], preparer: applier.preparer)
        defer { stream.finish() }
        while true {
            let cursor = applier.state.cursors[source.name]
            var counters = SyncCounters()
            var fetched = try stream.next()
            counters.retries = fetched.retries
            try process(&fetched, after: cursor, counters: &counters)
            let hasMore = fetched.batch.hasMore
            OffPathRelease.free(fetched)
            total += counters
            total.elapsedMicroseconds = clock.now() - started
            progress?(total)
            if !hasMore { break }
        }
        logger.info("sync run done", metadata: [
            "source": "\(source.name)", "processed": "\(total.processed)", "new": "\(total.inserts)",
            "updated": "\(total.updates)", "deleted": "\(total.deletes)", "unchanged": "\(total.unchanged)",
            "dead_letters": "\(total.deadLetters)", "retries": "\(total.retries)",
            "seconds": "\(Double(total.elapsedMicroseconds) / 1e6)",
        ])
        return total
    }

    /// One fetch and one commit. Returns what it did and whether the source has more right now.
    public func step() throws(SyncError) -> (SyncCounters, hasMore: Bool) {
        let cursor = applier.state.cursors[source.name]
        var counters = SyncCounters()
        var fetched = applier.preparer.prepare(try fetcher.batch(after: cursor), source: source.name)
        counters.retries = fetched.retries
        try process(&fetched, after: cursor, counters: &counters)
        return (counters, fetched.batch.hasMore)
    }

    /// Applies a fetched and prepared batch and commits it with the source's new cursor; its prepared
    /// changes are moved out.
    private func process(_ fetched: inout FetchedBatch, after cursor: SourceCursor?, counters: inout SyncCounters) throws(SyncError) {
        let batch = fetched.batch
        counters.batches = 1
        counters.processed = batch.count
        let now = fetched.fetchedAt

        if let remaining = batch.estimatedRemaining { applier.reserveRecords(additional: batch.count + remaining) }
        for entity in batch.startedSnapshots where configuration.trackSnapshots { applier.snapshotStarted(entity: entity) }
        var prepared: [[PreparedChange?]] = []
        swap(&prepared, &fetched.prepared)
        let letters = applier.add(prepared: consume prepared, counters: &counters)
        for entity in batch.completedSnapshots where configuration.trackSnapshots {
            try applier.deleteMissing(entity: entity, source: source.name, counters: &counters)
        }
        counters.deadLetters = letters.count
        let changed = applier.pendingCount
        guard batch.cursor != cursor || changed > 0 else {
            try record(letters)
            metrics.record(counters, lagSeconds: lag(of: batch.cursor, now: now))
            return
        }
        // The dead letters must be durable before the checkpoint that moves past their rows: they
        // are recorded on the writer's thread before it writes, while it encodes and hashes.
        let recording = DeadLetterRecording(sink: deadLetters, letters: letters)
        do {
            try applier.commit(checkpoint: (source.name, batch.cursor), beforeWrite: letters.isEmpty ? nil : recording.run)
        } catch {
            if let failure = recording.failure { throw SyncError(deadLetters: failure) }
            throw error
        }
        counters.eventsAppended = changed + 1
        counters.checkpoints = 1
        metrics.record(counters, lagSeconds: lag(of: batch.cursor, now: now))
    }

    private func record(_ letters: [DeadLetter]) throws(SyncError) {
        guard !letters.isEmpty else { return }
        do { try deadLetters.record(letters) } catch {
            throw SyncError(deadLetters: error)
        }
    }

    private func lag(of cursor: SourceCursor, now: Timestamp) -> Double? {
        guard let w = cursor["watermark_time"], let t = Timestamp(iso8601: w) else { return nil }
        return Double(now.microseconds - t.microseconds) / 1e6
    }
}
