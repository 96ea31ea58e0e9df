/// How a ``Projector`` reads, retries and follows.
public struct ProjectorConfiguration: Sendable, Hashable {
    /// Backoff for transient target errors (a dropped connection, a server restart).
    public struct Retry: Sendable, Hashable {
        /// The first wait; each further attempt doubles it up to ``maxDelay``.
        public var initialDelay: Duration = .milliseconds(100)
        public var maxDelay: Duration = .seconds(5)
        /// Attempts per batch before giving up; nil retries until the task is cancelled.
        public var maxAttempts: Int? = nil

        public init() {}

        /// The wait before attempt `attempt` (1 for the first retry).
        public func delay(attempt: Int) -> Duration {
            var d = initialDelay
            for _ in 1..<max(attempt, 1) {
                d = d * 2
                if d >= maxDelay { return maxDelay }
            }
            return min(d, maxDelay)
        }
    }

    /// Following the head after catching up.
    public struct Follow: Sendable, Hashable {
        /// The longest wait for a commit before the projector checks for shutdown again.
        public var pollMilliseconds: Int32 = 200

        public init() {}
    }

    /// Events per ``ProjectionTarget/apply(_:checkpoint:)`` (one transaction). A projector that
    /// follows the head applies what has arrived, usually far fewer; one catching up nets more of a
    /// record's changes per batch and sends fewer statements with larger batches. 40,000 applies
    /// the 1M-row workload's incremental batch about 5% faster than 20,000 in Postgres, for a peak of
    /// 226 MB instead of 144 MB (BENCHMARKS.md).
    public var batchSize = 40_000
    public var retry = Retry()
    public var follow = Follow()

    public init(batchSize: Int = 40_000) {
        self.batchSize = batchSize
    }
}
