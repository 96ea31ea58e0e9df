public import LedgerLog

/// Consecutive events as a projector hands them to its target, decided for the analytics tables
/// (``AnalyticsBatch``) on the thread that read them: the projector reads and decides the next
/// batch while the target applies this one.
public struct ProjectionBatch: Sendable {
    public let events: [LogEvent]
    public let analytics: AnalyticsBatch

    public init(events: [LogEvent]) {
        self.events = events
        analytics = AnalyticsBatch(events: events)
    }
}
