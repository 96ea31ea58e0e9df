/// A bounds-checked little-endian cursor over borrowed bytes.
///
/// Every read throws ``FormatError`` instead of trapping, so damaged input never crashes a reader.
public struct ByteReader {
    public let base: UnsafeRawBufferPointer
    public var position: Int

    public init(_ base: UnsafeRawBufferPointer, position: Int = 0) {
        self.base = base
        self.position = position
    }

    public var remaining: Int { base.count - position }
    public var isAtEnd: Bool { position >= base.count }

    @inline(__always) mutating func need(_ n: Int, _ what: StaticString) throws(FormatError) {
        if n < 0 || base.count - position < n {
            throw FormatError("truncated \(what)", at: position)
        }
    }

    public mutating func u8(_ what: StaticString = "byte") throws(FormatError) -> UInt8 {
        try need(1, what)
        defer { position += 1 }
        return base[position]
    }

    public mutating func u16(_ what: StaticString = "u16") throws(FormatError) -> UInt16 {
        try need(2, what)
        defer { position += 2 }
        return base.loadUnaligned(fromByteOffset: position, as: UInt16.self).littleEndian
    }

    public mutating func u32(_ what: StaticString = "u32") throws(FormatError) -> UInt32 {
        try need(4, what)
        defer { position += 4 }
        return base.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian
    }

    public mutating func u64(_ what: StaticString = "u64") throws(FormatError) -> UInt64 {
        try need(8, what)
        defer { position += 8 }
        return base.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian
    }

    public mutating func i64(_ what: StaticString = "i64") throws(FormatError) -> Int64 {
        Int64(bitPattern: try u64(what))
    }

    /// Unsigned LEB128, shortest form only, at most 10 bytes.
    @inline(__always)
    public mutating func varint(_ what: StaticString = "varint") throws(FormatError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = position
        while true {
            guard position < base.count else { throw FormatError("truncated \(what)", at: start) }
            let b = base[position]
            position += 1
            if shift == 63 && b > 1 { throw FormatError("\(what) overflows 64 bits", at: start) }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 {
                if b == 0 && position - start > 1 { throw FormatError("\(what) is not in shortest form", at: start) }
                return result
            }
            shift += 7
            if shift > 63 { throw FormatError("\(what) is longer than 10 bytes", at: start) }
        }
    }

    public mutating func zigzag(_ what: StaticString = "zigzag") throws(FormatError) -> Int64 {
        let u = try varint(what)
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// A length that must fit in what remains.
    public mutating func length(_ what: StaticString) throws(FormatError) -> Int {
        let start = position
        let n = try varint(what)
        guard n <= UInt64(remaining) else { throw FormatError("\(what) \(n) runs past the end", at: start) }
        return Int(n)
    }

    public mutating func bytes(_ n: Int, _ what: StaticString = "bytes") throws(FormatError) -> UnsafeRawBufferPointer {
        try need(n, what)
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: base[position..<(position + n)])
    }

    /// `varint(length) bytes` validated as UTF-8.
    public mutating func str(_ what: StaticString = "string") throws(FormatError) -> String {
        let start = position
        let n = try length(what)
        return try Self.string(try bytes(n, what), what, at: start)
    }

    /// `raw` validated as UTF-8; `start` is where its length began, for the error.
    public static func string(_ raw: UnsafeRawBufferPointer, _ what: StaticString, at start: Int) throws(FormatError) -> String {
        guard let s = String(utf8Bytes: raw) else { throw FormatError("\(what) is not valid UTF-8", at: start) }
        return s
    }

}
