import CISAL

/// CRC-32C (Castagnoli), from ISA-L's `crc32_iscsi` (hardware CRC instructions where the CPU has them).
public enum CRC32C {
    /// The CRC of `bytes`, continuing from `crc` (pass the result of a previous call to chain).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        // ISA-L keeps the register uninverted and takes an `int` length.
        var c = ~crc
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return crc }
        var left = bytes.count
        while left > 0 {
            let n = min(left, 1 << 30)
            c = crc32_iscsi(UnsafeMutablePointer(mutating: p), Int32(n), c)
            p += n
            left -= n
        }
        return ~c
    }

    /// Whether `bytes[start..<start+count]` has the CRC stored as a little-endian u32 right after it.
    public static func matchesTrailer(_ bytes: UnsafeRawBufferPointer, start: Int = 0, count: Int) -> Bool {
        guard start >= 0, count >= 0, start + count + 4 <= bytes.count else { return false }
        let stored = bytes.loadUnaligned(fromByteOffset: start + count, as: UInt32.self).littleEndian
        return checksum(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count)])) == stored
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
