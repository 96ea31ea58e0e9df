import Dispatch
public import LedgerLog
public import Logging
import Metrics
import ServiceLifecycle

/// Replays the log into one ``ProjectionTarget``: from the target's checkpoint, in batches of up to
/// ``ProjectorConfiguration/batchSize`` events (the first of a run smaller, see ``BatchReader``),
/// each applied with its checkpoint in one transaction.
///
/// At-least-once delivery gives exactly-once effects: a batch and its checkpoint commit together,
/// and a transient failure is retried only after re-reading the stored checkpoint (so a commit
/// whose acknowledgement was lost is not applied twice). Used by one task at a time.
public final class Projector {
    public let logDirectory: String
    public let target: any ProjectionTarget
    public let configuration: ProjectorConfiguration
    /// Called after every committed batch (progress lines, tests).
    public var onProgress: ((ProjectorProgress) -> Void)?

    private let logger: Logger
    private let sleep: @Sendable (Duration) async throws -> Void
    private let clock: LogClock
    private let metrics: ProjectorMetrics
    /// Reads, decodes and decides the next batch off the concurrency pool: that holds a thread for
    /// tens of milliseconds, and on the pool (a thread per core) it held up the continuations that
    /// send the current batch's statements.
    private let readingQueue = DispatchQueue(label: "ledger.projector.read")
    private var reader: LogReader?
    private var cursor: EventCursor?
    private var position: ProjectionCheckpoint?
    private var headTime: (offset: UInt64, time: Timestamp)?

    /// Totals since ``start()``.
    public private(set) var totals = ProjectionBatchResult()

    /// - Parameters:
    ///   - sleep: waits between retries (injected so tests need not wait).
    ///   - clock: the wall clock for events/s.
    public init(logDirectory: String, target: any ProjectionTarget, configuration: ProjectorConfiguration = .init(), logger: Logger,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                clock: LogClock = .system) {
        self.logDirectory = logDirectory
        self.target = target
        self.configuration = configuration
        self.logger = logger
        self.sleep = sleep
        self.clock = clock
        self.metrics = ProjectorMetrics(projector: target.name)
    }

    /// The checkpoint the projector has reached, nil before ``start()``.
    public var checkpoint: ProjectionCheckpoint? { position }

    /// Takes the target's lock, reads its checkpoint and refuses one that does not match the log.
    /// ``runOnce()`` and ``run()`` call it when needed.
    @discardableResult
    public func start() async throws(ProjectionError) -> ProjectionCheckpoint {
        if let position { return position }
        guard configuration.batchSize > 0 else {
            throw ProjectionError(.configuration, context: "projector \(target.name)", cause: "the batch size must be positive")
        }
        let reader: LogReader
        do { reader = try LogReader(directory: logDirectory) } catch {
            throw ProjectionError(.log, context: "opening \(logDirectory)", cause: error.description)
        }
        try await target.acquireLock()
        let stored = try await withRetry("reading the checkpoint") { () throws(ProjectionError) in try await target.checkpoint() }
        try stored.verify(against: reader)
        self.reader = reader
        self.position = stored
        logger.info("projector starts", metadata: ["projector": "\(target.name)", "checkpoint": "\(stored)"])
        return stored
    }

    /// Projects up to the log's current head and returns the checkpoint reached.
    @discardableResult
    public func runOnce() async throws(ProjectionError) -> ProjectionCheckpoint {
        try await start()
        let head = try readHead()
        try await project(to: head)
        return position!
    }

    /// Projects to the head, then follows it until the task is cancelled or a graceful shutdown
    /// begins; the batch at hand is committed first.
    public func run() async throws(ProjectionError) {
        try await start()
        let follower = LogFollower(directory: logDirectory)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let head = try readHead()
            if head.nextOffset > position!.nextOffset {
                try await project(to: head, stopEarly: true)
            } else {
                _ = follower.waitForCommit(timeoutMilliseconds: configuration.follow.pollMilliseconds)
                await Task.yield()
            }
        }
        logger.info("projector stops", metadata: ["projector": "\(target.name)", "checkpoint": "\(position!)"])
    }

    private func readHead() throws(ProjectionError) -> HeadRecord {
        do { return try reader!.head() } catch {
            throw ProjectionError(.log, context: "reading the head of \(logDirectory)", cause: error.description)
        }
    }

    /// Applies batches until `head`. The next batch is read, decoded and decided for the target
    /// (``ProjectionBatch``), and handed to ``ProjectionTarget/prepare(_:)``, on another thread
    /// while the target applies the current one.
    private func project(to head: HeadRecord, stopEarly: Bool = false) async throws(ProjectionError) {
        guard var at = position, at.nextOffset < head.nextOffset else { return }
        let reader = BatchReader(cursor: try self.cursor(from: at.nextOffset, limit: head.nextOffset),
                                 batchSize: configuration.batchSize, directory: logDirectory)
        var batch = ProjectionBatch(events: try reader.read().get())
        while let first = batch.events.first, let last = batch.events.last {
            let started = clock.now()
            guard first.offset == at.nextOffset else {
                throw ProjectionError(.log, context: "reading \(logDirectory)", cause: "expected offset \(at.nextOffset), read \(first.offset)")
            }
            let prefetch = last.offset + 1 < head.nextOffset ? Task.detached { [target, readingQueue] in
                await withCheckedContinuation { done in
                    readingQueue.async {
                        let next = reader.read().map(ProjectionBatch.init)
                        if case .success(let b) = next { target.prepare(b) }
                        done.resume(returning: next)
                    }
                }
            } : nil
            let next = ProjectionCheckpoint(nextOffset: last.offset + 1, lastHash: last.hash)
            let result: ProjectionBatchResult
            do {
                result = try await applyWithRetry(batch, from: at, to: next)
            } catch {
                _ = await prefetch?.value
                throw error
            }
            at = next
            position = next
            totals.applied += result.applied
            totals.deadLettered += result.deadLettered
            totals.ignored += result.ignored
            record(result, events: batch.events.count, last: last, head: head, micros: clock.now() - started)
            guard let prefetch else { break }
            if stopEarly && (Task.isCancelled || Task.isShuttingDownGracefully) {
                _ = await prefetch.value
                cursor = nil
                return
            }
            // The applied batch (its events and rows) is freed on another thread.
            OffPathRelease.free(batch)
            batch = try await prefetch.value.get()
        }
        guard at.nextOffset >= head.nextOffset else {
            throw ProjectionError(.log, context: "reading \(logDirectory)", cause: "the log ends at offset \(at.nextOffset), before its head \(head.nextOffset)")
        }
    }

    /// The cursor, reused while it continues from `offset`.
    private func cursor(from offset: UInt64, limit: UInt64) throws(ProjectionError) -> EventCursor {
        if let cursor, cursor.nextOffset == offset {
            cursor.extend(to: limit)
            return cursor
        }
        do {
            let c = try reader!.cursor(from: offset, limit: limit)
            cursor = c
            return c
        } catch {
            throw ProjectionError(.log, context: "reading \(logDirectory) from offset \(offset)", cause: error.description)
        }
    }

    /// Applies one batch; after a transient failure it waits, re-reads the stored checkpoint and
    /// applies again only if the failed attempt did not commit.
    private func applyWithRetry(_ batch: ProjectionBatch, from previous: ProjectionCheckpoint, to next: ProjectionCheckpoint) async throws(ProjectionError) -> ProjectionBatchResult {
        var uncertain = false
        return try await withRetry("applying offsets \(previous.nextOffset)..<\(next.nextOffset)") { () throws(ProjectionError) in
            if uncertain {
                let stored = try await target.checkpoint()
                if stored == next { return ProjectionBatchResult(applied: batch.events.count) }
                guard stored == previous else {
                    throw ProjectionError(.checkpointMismatch, context: "checkpoint \(stored)", cause: "the target moved to it while this projector held the lock, expected \(previous)")
                }
            }
            uncertain = true
            return try await target.apply(batch, checkpoint: next)
        }
    }

    /// Runs `body`, retrying transient errors with capped exponential backoff.
    private func withRetry<T>(_ what: String, _ body: () async throws(ProjectionError) -> T) async throws(ProjectionError) -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch where error.isTransient {
                attempt += 1
                if let max = configuration.retry.maxAttempts, attempt >= max { throw error }
                let delay = configuration.retry.delay(attempt: attempt)
                metrics.retries.increment()
                logger.warning("transient target error, retrying", metadata: [
                    "projector": "\(target.name)", "while": "\(what)", "attempt": "\(attempt)", "delay": "\(delay)", "error": "\(error)",
                ])
                do { try await sleep(delay) } catch {
                    throw ProjectionError(.target, context: what, cause: "cancelled while waiting to retry")
                }
            }
        }
    }

    private func record(_ r: ProjectionBatchResult, events: Int, last: LedgerLog.LogEvent, head: HeadRecord, micros: Int64) {
        metrics.events.increment(by: events)
        if r.deadLettered > 0 {
            metrics.deadLetters.increment(by: r.deadLettered)
            logger.warning("events dead-lettered", metadata: ["projector": "\(target.name)", "count": "\(r.deadLettered)"])
        }
        metrics.ignored.increment(by: r.ignored)
        metrics.eventsPerSecond.record(Double(events) * 1_000_000 / Double(max(micros, 1)))
        let lag = head.nextOffset - (last.offset + 1)
        metrics.lagEvents.record(Double(lag))
        var lagSeconds = 0.0
        if lag > 0 {
            if headTime?.offset != head.nextOffset - 1, let e = try? reader?.event(at: head.nextOffset - 1) {
                headTime = (e.offset, e.time)
            }
            if let h = headTime { lagSeconds = Double(max(0, h.time.microseconds - last.time.microseconds)) / 1_000_000 }
        }
        metrics.lagSeconds.record(lagSeconds)
        onProgress?(ProjectorProgress(projector: target.name, checkpoint: position!, head: head.nextOffset, totals: totals, lastEventTime: last.time))
    }
}
