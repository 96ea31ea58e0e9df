/// The outcome of ``LogVerifier/verify(progress:)``.
public struct VerifyReport: Sendable {
    public var segments = 0
    public var sealedSegments = 0
    public var batches = 0
    public var events: UInt64 = 0
    public var bytesOnDisk: UInt64 = 0
    public var decodedBytes: UInt64 = 0
    public var head = HeadRecord(nextOffset: 0, chainHead: .zero)
    /// An unacknowledged partial write at the end of the log (the next writer cuts it).
    public var tornTail: LogError?
    /// The first problem found, naming file and position; nil when the log verifies.
    public var problem: LogError?
    /// Problems in derived index files (rebuilt by the next writer).
    public var indexProblems: [LogError] = []

    public var ok: Bool { problem == nil && indexProblems.isEmpty }
}
