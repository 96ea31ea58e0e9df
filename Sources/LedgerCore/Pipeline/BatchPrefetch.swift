import Dispatch

/// One source fetch running on another thread while the pipeline applies and commits the batch
/// before it. The source is only ever used by one thread at a time: the pipeline does not touch it
/// again until ``wait()`` has returned.
final class BatchPrefetch: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<(SourceBatch, retries: Int), SyncError>?

    /// Starts `fetch` on a background thread.
    init(_ fetch: @escaping () throws(SyncError) -> (SourceBatch, retries: Int)) {
        let box = UncheckedFetch(fetch)
        DispatchQueue.global().async { [self] in
            do throws(SyncError) { result = .success(try box.fetch()) } catch { result = .failure(error) }
            done.signal()
        }
    }

    /// The fetched batch (or the fetch's error), once the fetch has finished.
    func wait() throws(SyncError) -> (SourceBatch, retries: Int) {
        done.wait()
        return try result!.get()
    }

    /// A closure over the non-Sendable source, handed to exactly one other thread.
    private struct UncheckedFetch: @unchecked Sendable {
        let fetch: () throws(SyncError) -> (SourceBatch, retries: Int)
        init(_ fetch: @escaping () throws(SyncError) -> (SourceBatch, retries: Int)) { self.fetch = fetch }
    }
}
