public import LedgerLog

/// Where a projection stands in the log: every event below ``nextOffset`` has been applied, and
/// ``lastHash`` is the hash of the event at `nextOffset - 1` (zero when nothing was applied).
///
/// A target stores it in the same transaction as the effects of the events it covers, so a
/// restart resumes exactly where the last commit ended. A checkpoint whose hash differs from the
/// log's event at `nextOffset - 1` means the target was built from another log, and is refused.
public struct ProjectionCheckpoint: Sendable, Hashable, CustomStringConvertible {
    public var nextOffset: UInt64
    public var lastHash: Digest32

    public init(nextOffset: UInt64, lastHash: Digest32) {
        self.nextOffset = nextOffset
        self.lastHash = lastHash
    }

    /// The checkpoint as a target stores it (`next_offset`, `last_hash` hex); `place` names the row in the error.
    public init(stored offset: Int64, hex: String, place: String) throws(ProjectionError) {
        guard offset >= 0, let hash = Digest32(hex: hex) else {
            throw ProjectionError(.schema, context: place, cause: "unreadable checkpoint \(offset) \(hex)")
        }
        self.init(nextOffset: UInt64(offset), lastHash: hash)
    }

    /// The checkpoint of an empty target.
    public static let start = ProjectionCheckpoint(nextOffset: 0, lastHash: .zero)

    public var description: String { "offset \(nextOffset) (\(lastHash))" }
}
