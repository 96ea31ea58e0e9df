import LedgerLog
import Logging

/// The pipeline's fetch stage: asks the source for the batch after a cursor, retrying a transient
/// failure with backoff (``SyncConfiguration/Retry``).
struct SourceFetcher {
    let source: any ChangeSource
    let configuration: SyncConfiguration
    let clock: LogClock
    let sleep: @Sendable (Double) -> Void
    let logger: Logger

    /// The batch after `cursor`, not yet prepared.
    func batch(after cursor: SourceCursor?) throws(SyncError) -> FetchedBatch {
        var attempt = 0
        while true {
            do {
                let batch = try source.nextBatch(after: cursor, limit: configuration.batchSize)
                return FetchedBatch(batch: batch, retries: attempt, fetchedAt: Timestamp(microseconds: clock.now()), prepared: [])
            } catch {
                attempt += 1
                guard error.isTransient, attempt < configuration.retry.attempts else {
                    throw SyncError(.source, context: source.name, cause: "\(error)", sourceError: error)
                }
                let delay = configuration.retry.delay(beforeRetry: attempt)
                logger.warning("source unavailable; retrying", metadata: [
                    "source": "\(source.name)", "attempt": "\(attempt)", "delay_s": "\(delay)", "error": "\(error)",
                ])
                sleep(delay)
            }
        }
    }

    /// A stream of batches from `first` on, fetched and prepared ahead on threads of their own.
    func stream(from first: SourceCursor?, preparer: ChangePreparer) -> BatchStream {
        BatchStream(
            first: first,
            fetch: { (cursor) throws(SyncError) in try batch(after: cursor) },
            prepare: { [name = source.name] in preparer.prepare($0, source: name) })
    }
}
