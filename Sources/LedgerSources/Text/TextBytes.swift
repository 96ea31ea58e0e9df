import LedgerCore

/// A database value's bytes as a ``RawValue``: `.text` when they are UTF-8, else `.bytes`.
enum TextBytes {
    /// POS text is nearly all ASCII: checked 8 bytes at a time and then decoded without validation;
    /// anything else goes through the UTF-8 validator.
    @inline(__always)
    static func rawValue(_ bytes: UnsafeRawBufferPointer) -> RawValue {
        let utf8 = bytes.assumingMemoryBound(to: UInt8.self)
        if isASCII(bytes) { return .text(String(decoding: utf8, as: UTF8.self)) }
        if let text = String(validating: utf8, as: UTF8.self) { return .text(text) }
        return .bytes(Array(utf8))
    }

    @inline(__always)
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
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
