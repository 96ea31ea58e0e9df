extension String {
    /// Calls `body` with the string's UTF-8 bytes, in place when the string stores them contiguously
    /// (native and small strings), without copying the string: the encoder's hot path.
    @inlinable @inline(__always)
    func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = self
        return copy.withUTF8(body)
    }
}

extension String {
    /// `bytes` as a string when they are valid UTF-8, else nil. ASCII (nearly every name and value)
    /// is checked 8 bytes at a time and decoded without validation: the standard library's generic
    /// validator costs a metadata lookup per call.
    public init?(utf8Bytes bytes: UnsafeRawBufferPointer) {
        let utf8 = bytes.bindMemory(to: UInt8.self)
        if Self.isASCII(bytes) {
            self = String(decoding: utf8, as: UTF8.self)
        } else if let s = String(validating: utf8, as: UTF8.self) {
            self = s
        } else {
            return nil
        }
    }

    /// Whether `bytes` are valid UTF-8 (ASCII checked 8 bytes at a time).
    public static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        isASCII(bytes) || String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self) != nil
    }

    /// Whether `bytes` are all ASCII (checked 8 bytes at a time).
    @inline(__always)
    public static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var i = 0
        var high: UInt64 = 0
        while i + 8 <= bytes.count {
            high |= base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < bytes.count {
            high |= UInt64(bytes[i])
            i += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}
