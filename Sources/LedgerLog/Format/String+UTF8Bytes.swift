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
