/// The recovery rule for the end of the active segment (log-format/SPEC.md §10), as a pure function.
public enum TailDecision: Sendable, Equatable {
    /// The file ends after a whole batch.
    case clean
    /// Cut the file back to `position`: an unacknowledged write.
    case cut(position: UInt64, reason: String)
    /// Refuse: committed data is damaged or missing.
    case refuse(reason: String, position: UInt64)

    /// Decides from the scan's last step and what HEAD says was committed.
    /// - Parameters:
    ///   - tornAt: where a torn tail starts, with its reason, or nil for a clean end.
    ///   - wholeEnd: the file position after the last whole batch.
    ///   - nextOffset: the offset after the last whole batch.
    ///   - headNextOffset: HEAD's next offset, if HEAD is valid.
    public static func decide(tornAt: (position: UInt64, reason: String)?, wholeEnd: UInt64, nextOffset: UInt64, headNextOffset: UInt64?) -> TailDecision {
        if let head = headNextOffset, head > nextOffset {
            return .refuse(reason: "HEAD records offsets up to \(head - 1) as committed but the segment's whole batches end at offset \(nextOffset)",
                           position: tornAt?.position ?? wholeEnd)
        }
        if let torn = tornAt { return .cut(position: torn.position, reason: torn.reason) }
        return .clean
    }
}
