internal import CLibCrypto

/// SHA-256 through libcrypto on a stack context: no allocation per hash.
public struct SHA256Hasher {
    private var context = SHA256_CTX()

    public init() { SHA256_Init(&context) }

    @inline(__always)
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        SHA256_Update(&context, bytes.baseAddress, bytes.count)
    }

    @inline(__always)
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    @inline(__always)
    public mutating func finalize() -> Digest32 {
        var d = Digest32()
        _ = withUnsafeMutableBytes(of: &d) { SHA256_Final($0.baseAddress!.assumingMemoryBound(to: UInt8.self), &context) }
        return d
    }

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Digest32 {
        var h = SHA256Hasher()
        h.update(bytes)
        return h.finalize()
    }
}
