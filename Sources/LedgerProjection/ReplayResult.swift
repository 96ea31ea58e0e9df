/// What a rebuild (`ledger replay`) did.
public struct ReplayResult: Sendable {
    /// The first offset replayed (0 for a full rebuild).
    public var from: UInt64
    /// The checkpoint the rebuilt projection holds.
    public var checkpoint: ProjectionCheckpoint
    public var events: Int
    public var deadLettered: Int
    /// Rows of each of ``AnalyticsSchema/projectedTables`` after the swap.
    public var rows: [String: Int]
    /// Wall time of each phase, in order.
    public var phases: [(name: String, seconds: Double)]

    public init(from: UInt64, checkpoint: ProjectionCheckpoint, events: Int, deadLettered: Int, rows: [String: Int], phases: [(name: String, seconds: Double)]) {
        self.from = from
        self.checkpoint = checkpoint
        self.events = events
        self.deadLettered = deadLettered
        self.rows = rows
        self.phases = phases
    }
}
