/// The 128-byte header at the start of every segment file (log-format/SPEC.md §2.1).
public struct SegmentHeader: Sendable, Hashable {
    public static let size = 128
    public static let magic: [UInt8] = Array("LDGRSEG1".utf8)
    public static let version: UInt16 = 1

    public var baseOffset: UInt64
    public var createdAt: Int64
    public var previousHash: Digest32
    public var previousRoot: Digest32

    public init(baseOffset: UInt64, createdAt: Int64, previousHash: Digest32, previousRoot: Digest32) {
        self.baseOffset = baseOffset
        self.createdAt = createdAt
        self.previousHash = previousHash
        self.previousRoot = previousRoot
    }

    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: Self.size)
        w.raw(Self.magic)
        w.u16(Self.version)
        w.u16(0)
        w.u32(UInt32(Self.size))
        w.u64(baseOffset)
        w.i64(createdAt)
        previousHash.withUnsafeBytes { w.raw($0) }
        previousRoot.withUnsafeBytes { w.raw($0) }
        w.zeros(28)
        w.u32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    public init(decoding raw: UnsafeRawBufferPointer) throws(FormatError) {
        guard raw.count >= Self.size else { throw FormatError("segment header is truncated", at: 0) }
        guard Array(raw[0..<8]) == Self.magic else { throw FormatError("segment magic is wrong", at: 0) }
        var r = ByteReader(raw, position: 8)
        let version = try r.u16()
        guard version == Self.version else { throw FormatError("unsupported format version \(version)", at: 8) }
        _ = try r.u16()
        guard try r.u32() == UInt32(Self.size) else { throw FormatError("segment header length is wrong", at: 12) }
        guard CRC32C.matchesTrailer(raw, count: 124) else {
            throw FormatError("segment header CRC mismatch", at: 124)
        }
        baseOffset = try r.u64()
        createdAt = try r.i64()
        previousHash = Digest32(raw, at: 32)
        previousRoot = Digest32(raw, at: 64)
    }
}
