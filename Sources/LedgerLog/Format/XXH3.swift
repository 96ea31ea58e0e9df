internal import CXXHash

/// XXH3-128 through libxxhash, in its canonical (big-endian) byte order.
public struct XXH128: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// High 64 bits first, as in XXH128_canonical_t.
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public static func hash(_ raw: UnsafeRawBufferPointer) -> XXH128 {
        let h = XXH3_128bits(raw.baseAddress, raw.count)
        return XXH128(high: h.high64, low: h.low64)
    }

    public static func hash(_ bytes: [UInt8]) -> XXH128 { bytes.withUnsafeBytes { hash($0) } }

    /// 16 bytes, big-endian.
    public init(canonical raw: UnsafeRawBufferPointer, at offset: Int = 0) {
        high = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        low = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
    }

    public func appendCanonical(to w: inout ByteWriter) {
        withUnsafeBytes(of: high.bigEndian) { w.raw($0) }
        withUnsafeBytes(of: low.bigEndian) { w.raw($0) }
    }

    public var hex: String {
        var w = ByteWriter(capacity: 16)
        appendCanonical(to: &w)
        return Hex.encode(w.bytes)
    }

    public var description: String { hex }

    public static func < (a: XXH128, b: XXH128) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }
}
