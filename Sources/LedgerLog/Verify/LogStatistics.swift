/// Sizes and counts of a log, read from batch headers (CRC-checked, chain not recomputed).
public struct LogStatistics: Sendable {
    public var segments = 0
    public var sealedSegments = 0
    public var batches = 0
    public var events: UInt64 = 0
    public var segmentBytes: UInt64 = 0
    public var indexBytes: UInt64 = 0
    public var decodedBytes: UInt64 = 0
    public var compressedBytes: UInt64 = 0
    public var head = HeadRecord(nextOffset: 0, chainHead: .zero)

    public static func collect(directory: String) throws(LogError) -> LogStatistics {
        var s = LogStatistics()
        let limit = try LogReader(directory: directory).head()
        for base in try LogDirectory.segmentBases(directory) {
            guard let scanner = try SegmentScanner.openIfComplete(path: directory + "/" + SegmentName.file(base, "seg")) else { continue }
            s.segments += 1
            s.segmentBytes += scanner.size
            for ext in ["oix", "tix", "kix", "kjl"] {
                s.indexBytes += LogDirectory.fileSize(directory + "/" + SegmentName.file(base, ext)) ?? 0
            }
            var p = UInt64(SegmentHeader.size)
            walk: while true {
                switch try scanner.step(at: p) {
                case .batch(let h, _):
                    if h.baseOffset >= limit.nextOffset { break walk }
                    s.batches += 1
                    s.events += UInt64(h.count)
                    s.decodedBytes += UInt64(h.decodedLength)
                    s.compressedBytes += UInt64(h.length) - UInt64(BatchHeader.size)
                    p += UInt64(h.length)
                case .footer:
                    s.sealedSegments += 1
                    break walk
                case .end, .torn:
                    break walk
                case .damage(let e):
                    throw e
                }
            }
        }
        s.head = limit
        return s
    }
}
