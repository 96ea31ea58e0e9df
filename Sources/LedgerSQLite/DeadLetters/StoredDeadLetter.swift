public import LedgerCore

/// A dead letter as the store holds it: with its id, status and attempts.
public struct StoredDeadLetter: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// Not applied; waiting for a fix and a retry.
        case open
        /// A retry turned it into an event.
        case resolved
    }

    public var id: Int64
    public var letter: DeadLetter
    public var status: Status
    /// How many times the row was refused (each sync that met it, and each failed retry).
    public var attempts: Int
    /// The offset of the event a retry appended (nil if it changed nothing or is still open).
    public var resolvedOffset: UInt64?
}
