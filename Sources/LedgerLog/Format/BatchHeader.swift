/// The 80-byte header of a batch (log-format/SPEC.md §2.2).
public struct BatchHeader: Sendable, Hashable {
    public static let size = 80
    public static let magic: UInt32 = 0x5441_424C  // "LBAT" little-endian

    public enum Codec: UInt8, Sendable { case none = 0, lz4 = 1 }

    public var length: UInt32
    public var crc: UInt32
    public var count: UInt32
    public var baseOffset: UInt64
    public var firstTime: Int64
    public var lastTime: Int64
    public var codec: Codec
    public var decodedLength: UInt32
    public var chainHead: Digest32

    public var nextOffset: UInt64 { baseOffset + UInt64(count) }
    public var lastOffset: UInt64 { baseOffset + UInt64(count) - 1 }

    public init(length: UInt32, crc: UInt32, count: UInt32, baseOffset: UInt64, firstTime: Int64, lastTime: Int64,
                codec: Codec, decodedLength: UInt32, chainHead: Digest32) {
        self.length = length
        self.crc = crc
        self.count = count
        self.baseOffset = baseOffset
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.codec = codec
        self.decodedLength = decodedLength
        self.chainHead = chainHead
    }

    /// Writes the header into the first 80 bytes of `batch`, computing the CRC over the rest.
    public static func write(into batch: inout [UInt8], count: UInt32, baseOffset: UInt64, firstTime: Int64, lastTime: Int64,
                             codec: Codec, decodedLength: UInt32, chainHead: Digest32) {
        var w = ByteWriter(capacity: size)
        w.u32(magic)
        w.u32(UInt32(batch.count))
        w.u32(0)
        w.u32(count)
        w.u64(baseOffset)
        w.i64(firstTime)
        w.i64(lastTime)
        w.u8(codec.rawValue)
        w.u8(0)
        w.u16(0)
        w.u32(decodedLength)
        chainHead.withUnsafeBytes { w.raw($0) }
        batch.withUnsafeMutableBytes { dst in
            w.bytes.withUnsafeBytes { dst.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: size) }
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(dst)[12...]))
            dst.storeBytes(of: crc.littleEndian, toByteOffset: 8, as: UInt32.self)
        }
    }

    /// Parses the fixed fields. Does not check the CRC (see ``checkCRC(_:)``).
    public init(decoding raw: UnsafeRawBufferPointer) throws(FormatError) {
        guard raw.count >= Self.size else { throw FormatError("batch header is truncated", at: 0) }
        var r = ByteReader(raw)
        guard try r.u32() == Self.magic else { throw FormatError("batch magic is wrong", at: 0) }
        length = try r.u32()
        guard length >= UInt32(Self.size) else { throw FormatError("batch length \(length) is too small", at: 4) }
        crc = try r.u32()
        count = try r.u32()
        guard count > 0 else { throw FormatError("batch has no events", at: 12) }
        baseOffset = try r.u64()
        firstTime = try r.i64()
        lastTime = try r.i64()
        guard let codec = Codec(rawValue: try r.u8()) else { throw FormatError("unknown codec", at: 40) }
        self.codec = codec
        guard try r.u8() == 0, try r.u16() == 0 else { throw FormatError("reserved batch bytes are not zero", at: 41) }
        decodedLength = try r.u32()
        chainHead = Digest32(raw, at: 48)
        guard lastTime >= firstTime else { throw FormatError("batch last timestamp precedes its first", at: 32) }
    }

    /// Checks the CRC over a whole batch (`raw` holds exactly `length` bytes).
    public func checkCRC(_ raw: UnsafeRawBufferPointer) -> Bool {
        CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[12..<Int(length)])) == crc
    }
}
