/// A growable little-endian byte buffer used to build records, headers and index entries.
public struct ByteWriter: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    @inlinable public mutating func u8(_ v: UInt8) { bytes.append(v) }

    @inlinable public mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    }

    @inlinable public mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable public mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable public mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }

    /// Unsigned LEB128; the same encoder (``RawWriter``) that writes records.
    public mutating func varint(_ value: UInt64) {
        appendRaw(bound: 10) { $0.varint(value) }
    }

    public mutating func zigzag(_ v: Int64) {
        appendRaw(bound: 10) { $0.zigzag(v) }
    }

    @inlinable public mutating func raw(_ b: some Sequence<UInt8>) { bytes.append(contentsOf: b) }

    @inlinable public mutating func raw(_ p: UnsafeRawBufferPointer) { bytes.append(contentsOf: p) }

    /// Writes `varint(length) bytes` of the string's UTF-8.
    public mutating func str(_ s: String) {
        appendRaw(bound: 10 + s.utf8.count) { $0.str(s) }
    }

    @inlinable public mutating func zeros(_ n: Int) { bytes.append(contentsOf: repeatElement(0, count: n)) }

    /// Appends what `body` writes through a ``RawWriter`` into `bound` bytes of room; `body` returns
    /// the bytes it wrote, at most `bound`.
    mutating func appendRaw<R>(bound: Int, _ body: (inout RawWriter) -> R) -> R {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: bound))
        var written = 0
        let result = bytes.withUnsafeMutableBytes { raw in
            var w = RawWriter(raw.baseAddress! + start)
            let r = body(&w)
            written = w.position
            return r
        }
        precondition(written <= bound, "RawWriter wrote past its bound")
        bytes.removeLast(bound - written)
        return result
    }

}
