/// The 128-byte footer that seals a segment (log-format/SPEC.md §2.3).
public struct SegmentFooter: Sendable, Hashable {
    public static let size = 128
    public static let magic: [UInt8] = Array("LFTR".utf8)

    public var baseOffset: UInt64
    public var eventCount: UInt64
    public var firstTime: Int64
    public var lastTime: Int64
    public var lastHash: Digest32
    public var root: Digest32
    public var position: UInt64

    public init(baseOffset: UInt64, eventCount: UInt64, firstTime: Int64, lastTime: Int64,
                lastHash: Digest32, root: Digest32, position: UInt64) {
        self.baseOffset = baseOffset
        self.eventCount = eventCount
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.lastHash = lastHash
        self.root = root
        self.position = position
    }

    public var nextOffset: UInt64 { baseOffset + eventCount }

    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: Self.size)
        w.raw(Self.magic)
        w.u32(UInt32(Self.size))
        w.u64(baseOffset)
        w.u64(eventCount)
        w.i64(firstTime)
        w.i64(lastTime)
        lastHash.withUnsafeBytes { w.raw($0) }
        root.withUnsafeBytes { w.raw($0) }
        w.u64(position)
        w.zeros(12)
        w.u32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    public init(decoding raw: UnsafeRawBufferPointer) throws(FormatError) {
        guard raw.count >= Self.size else { throw FormatError("footer is truncated", at: 0) }
        guard Array(raw[0..<4]) == Self.magic else { throw FormatError("footer magic is wrong", at: 0) }
        var r = ByteReader(raw, position: 4)
        guard try r.u32() == UInt32(Self.size) else { throw FormatError("footer length is wrong", at: 4) }
        guard CRC32C.matchesTrailer(raw, count: 124) else {
            throw FormatError("footer CRC mismatch", at: 124)
        }
        baseOffset = try r.u64()
        eventCount = try r.u64()
        firstTime = try r.i64()
        lastTime = try r.i64()
        lastHash = Digest32(raw, at: 40)
        root = Digest32(raw, at: 72)
        r.position = 104
        position = try r.u64()
    }
}
