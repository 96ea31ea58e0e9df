/// The commit watermark file `HEAD` (log-format/SPEC.md §8).
public struct HeadRecord: Sendable, Hashable {
    public static let size = 44

    public var nextOffset: UInt64
    public var chainHead: Digest32

    public init(nextOffset: UInt64, chainHead: Digest32) {
        self.nextOffset = nextOffset
        self.chainHead = chainHead
    }

    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: Self.size)
        w.u64(nextOffset)
        chainHead.withUnsafeBytes { w.raw($0) }
        w.u32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    public init?(decoding bytes: [UInt8]) {
        guard bytes.count >= Self.size else { return nil }
        let ok = bytes.withUnsafeBytes { b in
            CRC32C.matchesTrailer(b, count: 40)
        }
        guard ok else { return nil }
        nextOffset = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
        chainHead = bytes.withUnsafeBytes { Digest32($0, at: 8) }
    }

    /// Reads HEAD from a log directory; nil when it is missing or torn.
    public static func read(directory: String) -> HeadRecord? {
        guard let f = try? LogFile(path: directory + "/" + SegmentName.head, mode: .readOnly) else { return nil }
        for _ in 0..<3 {
            if let bytes = try? f.read(size, at: 0), let h = HeadRecord(decoding: bytes) { return h }
        }
        return nil
    }
}
