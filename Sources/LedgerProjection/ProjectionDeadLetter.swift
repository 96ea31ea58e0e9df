public import LedgerLog

/// An event a target cannot hold, as it goes to `projector_dead_letters`.
public struct ProjectionDeadLetter: Sendable, Hashable {
    public var offset: UInt64
    public var entity: String
    /// The event's canonical key.
    public var key: String
    public var reason: String
    /// The event as one JSON line.
    public var eventJSON: String

    public init(event: LedgerLog.LogEvent, reason: String) {
        offset = event.offset
        entity = event.entity
        key = event.canonicalKey
        self.reason = reason
        eventJSON = event.jsonLine
    }
}
