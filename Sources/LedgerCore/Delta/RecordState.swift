public import LedgerLog

/// What the delta stage remembers of one record: its newest event.
public struct RecordState: Sendable, Hashable {
    /// Index into ``DeltaState/entities``.
    public var entity: UInt16
    public var deleted: Bool
    public var dataHash: Digest32
    public var rowversion: String?
    /// The offset of the record's newest event.
    public var offset: UInt64

    public init(entity: UInt16, deleted: Bool, dataHash: Digest32, rowversion: String?, offset: UInt64) {
        self.entity = entity
        self.deleted = deleted
        self.dataHash = dataHash
        self.rowversion = rowversion
        self.offset = offset
    }
}
