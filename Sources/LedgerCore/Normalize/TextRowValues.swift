/// A row's values as ``Normalizer/encode(entity:values:columnIndexes:counters:into:)`` reads them:
/// as text in place, whatever holds them.
package protocol TextRowValues {
    var count: Int { get }

    /// Calls `body` with the UTF-8 bytes of value `c` (nil when it is null); nil, without calling
    /// it, when the value is not text (bytes, or bytes that are not valid UTF-8).
    func withText<R>(_ c: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R?
}

/// The values of a ``SourceRow``, read in place.
struct RawValueRow: TextRowValues {
    let values: UnsafeBufferPointer<RawValue>

    var count: Int { values.count }

    @inline(__always)
    func withText<R>(_ c: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R? {
        switch values[c] {
        case .null: return body(nil)
        case .text(let text):
            if let r = text.utf8.withContiguousStorageIfAvailable(body) { return r }
            var copy = text
            return copy.withUTF8 { body($0) }
        case .bytes: return nil
        }
    }
}
