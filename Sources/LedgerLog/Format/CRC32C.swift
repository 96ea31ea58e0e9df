/// CRC-32C (Castagnoli), slicing-by-8. Debian packages no C library for it.
public enum CRC32C {
    static let tables: [[UInt32]] = {
        var t = Array(repeating: Array(repeating: UInt32(0), count: 256), count: 8)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[0][i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 { t[k][i] = (t[k - 1][i] >> 8) ^ t[0][Int(t[k - 1][i] & 0xFF)] }
        }
        return t
    }()

    static let flat: [UInt32] = tables.flatMap { $0 }

    /// The CRC of `bytes`, continuing from `crc` (pass the result of a previous call to chain).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var c = ~crc
        flat.withUnsafeBufferPointer { t in
            var p = 0
            let n = bytes.count
            while n - p >= 8 {
                let lo = bytes.loadUnaligned(fromByteOffset: p, as: UInt32.self).littleEndian ^ c
                let hi = bytes.loadUnaligned(fromByteOffset: p + 4, as: UInt32.self).littleEndian
                c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                p += 8
            }
            while p < n {
                c = t[Int((c ^ UInt32(bytes[p])) & 0xFF)] ^ (c >> 8)
                p += 1
            }
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
