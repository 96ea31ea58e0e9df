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

    /// Events per ``ProjectionTarget/apply(_:checkpoint:)`` (one transaction).
    public var batchSize = 20_000
    public var retry = Retry()
    public var follow = Follow()

    public init(batchSize: Int = 20_000) {
        self.batchSize = batchSize
    }
}
