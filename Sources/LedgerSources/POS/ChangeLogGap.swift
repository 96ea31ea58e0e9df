/// Change-log ids below the highest id read that were not visible yet: a transaction that took its
/// ids earlier may still commit them.
public struct ChangeLogGap: Sendable, Hashable {
    public var ids: ClosedRange<Int64>
    /// When the gap was first seen, in seconds since the Unix epoch (``SourceClock``).
    public var firstSeen: Int64

    public init(ids: ClosedRange<Int64>, firstSeen: Int64) {
        self.ids = ids
        self.firstSeen = firstSeen
    }

    public var count: Int64 { ids.upperBound - ids.lowerBound + 1 }
}
