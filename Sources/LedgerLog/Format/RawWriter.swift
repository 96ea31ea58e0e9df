/// Unchecked little-endian writes into memory the caller has sized with an upper bound
/// (see ``RecordCodec/upperBound(of:)``): the encoder's hot path, free of per-byte checks.
@usableFromInline
struct RawWriter {
    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline var position: Int

    @inlinable init(_ base: UnsafeMutableRawPointer, position: Int = 0) {
        self.base = base
        self.position = position
    }

    @inlinable @inline(__always) mutating func u8(_ v: UInt8) {
        base.storeBytes(of: v, toByteOffset: position, as: UInt8.self)
        position += 1
    }

    @inlinable @inline(__always) mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            u8(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        u8(UInt8(v))
    }

    @inlinable @inline(__always) mutating func zigzag(_ v: Int64) {
        varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    @inlinable @inline(__always) mutating func raw(_ p: UnsafeRawBufferPointer) {
        guard let src = p.baseAddress, p.count > 0 else { return }
        (base + position).copyMemory(from: src, byteCount: p.count)
        position += p.count
    }

    @inlinable @inline(__always) mutating func str(_ s: String) {
        s.withUTF8Bytes { u in
            varint(UInt64(u.count))
            raw(UnsafeRawBufferPointer(u))
        }
    }

    /// Bytes of `s` with `\`, `|` and `=` escaped (canonical keys, SPEC §4).
    @inlinable mutating func escaped(_ s: String) {
        s.withUTF8Bytes { escaped(UnsafeRawBufferPointer($0)) }
    }

    /// ``escaped(_:)`` of text given as its UTF-8 bytes.
    @inlinable mutating func escaped(_ u: UnsafeRawBufferPointer) {
        for b in u {
            if b == UInt8(ascii: "\\") || b == UInt8(ascii: "|") || b == UInt8(ascii: "=") { u8(UInt8(ascii: "\\")) }
            u8(b)
        }
    }
}
