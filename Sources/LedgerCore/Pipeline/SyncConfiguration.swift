/// How a sync run behaves.
public struct SyncConfiguration: Sendable {
    /// Retrying a source after a transient failure (a dropped connection, a locked file).
    public struct Retry: Sendable {
        /// Attempts per fetch, the first included.
        public var attempts = 8
        public var initialDelaySeconds = 0.2
        public var maxDelaySeconds = 10.0

        public init() {}

        /// The delay before attempt `n` (1 = the first retry): doubling, capped.
        public func delay(beforeRetry n: Int) -> Double {
            min(maxDelaySeconds, initialDelaySeconds * Double(1 << min(n - 1, 20)))
        }
    }

    /// Changes asked of the source per fetch; each fetch is one commit with its checkpoint.
    public var batchSize = 8192
    public var strategy: DeltaStrategy = .hash
    public var retry = Retry()
    /// Remember the keys of each entity seen in this run, so a source's complete snapshot turns
    /// missing keys into deletes. Costs memory per key: only snapshot sources need it.
    public var trackSnapshots = false

    public init() {}
}
