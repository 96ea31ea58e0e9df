/// A 32-byte SHA-256 value held inline, without heap storage.
public struct Digest32: Sendable, Hashable, CustomStringConvertible {
    public var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0

    public static let zero = Digest32()

    public init() {}

    /// Reads 32 bytes starting at `offset`.
    public init(_ raw: UnsafeRawBufferPointer, at offset: Int = 0) {
        w0 = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        w1 = raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
        w2 = raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)
        w3 = raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)
    }

    public init?(hex: String) {
        let bytes = Hex.decode(hex)
        guard let bytes, bytes.count == 32 else { return nil }
        self = bytes.withUnsafeBytes { Digest32($0) }
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: self) { try body($0) }
    }

    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    public var hex: String { withUnsafeBytes { Hex.encode($0) } }

    public var description: String { hex }

    /// SHA-256 of `parts` concatenated.
    public static func sha256(_ parts: UnsafeRawBufferPointer...) -> Digest32 {
        var h = SHA256Hasher()
        for p in parts { h.update(p) }
        return h.finalize()
    }
}

/// Lowercase hexadecimal.
public enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ raw: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: raw.count * 2) { out in
            for (i, b) in raw.enumerated() {
                out[2 * i] = digits[Int(b >> 4)]
                out[2 * i + 1] = digits[Int(b & 0xF)]
            }
            return raw.count * 2
        }
    }

    public static func encode(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { encode($0) } }

    public static func decode(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var i = 0
        while i < u.count {
            guard let h = nibble(u[i]), let l = nibble(u[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }
}
