import LedgerCore
import LedgerLog

/// A database value's bytes as a ``RawValue``: `.text` when they are UTF-8, else `.bytes`.
enum TextBytes {
    @inline(__always)
    static func rawValue(_ bytes: UnsafeRawBufferPointer) -> RawValue {
        if let text = String(utf8Bytes: bytes) { return .text(text) }
        return .bytes(Array(bytes))
    }
}
