/// Settings of a log store. Read from flags or the environment only in the executable.
public struct LogConfiguration: Sendable {
    /// When an append is made durable.
    public enum Durability: Sendable, Hashable {
        /// `fdatasync` after every batch before the append returns (the default).
        case fsyncPerBatch
        /// No fsync: for benchmarks and throwaway logs. Acknowledged appends may be lost on power loss.
        case none
    }

    public var segmentMaxBytes: UInt64 = 128 << 20
    /// Seal a segment once its first event is older than this many seconds (nil: never by age).
    public var segmentMaxAgeSeconds: Int64? = nil
    public var durability: Durability = .fsyncPerBatch
    /// Upper bound of events in one batch; larger appends are split.
    public var maxBatchEvents = 1024
    /// Upper bound of a batch's decoded record bytes; larger appends are split.
    public var maxBatchBytes = 256 << 10
    /// Write an offset/time index entry after at least this many bytes of batches.
    public var indexIntervalBytes: UInt64 = 4096
    /// Key journal entries gathered before they are written as one sorted run. Opening the writer
    /// re-derives at most this many entries from the events, so it bounds the cost of an open.
    public var keyRunSize = 8192
    /// LZ4 level: 0 is LZ4's fast mode, 3...12 use LZ4-HC.
    public var compressionLevel: Int32 = 0
    /// How batches' record areas are stored (`.none` is for test vectors and debugging).
    public var codec: BatchHeader.Codec = .lz4

    public init() {}
}
