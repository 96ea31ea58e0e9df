/// A `fields` section (log-format/SPEC.md §3) an ``EncodedFieldsWriter`` wrote, held in a block of
/// memory it shares with the rows written after it: no allocation per event.
package struct EncodedFields: Sendable, Equatable {
    /// A block of sections, written by one writer before any event that holds it is shared, and read
    /// only after.
    final class Block: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        let capacity: Int
        var used = 0

        init(capacity: Int) {
            self.capacity = capacity
            base = .allocate(byteCount: capacity, alignment: 16)
        }

        deinit { base.deallocate() }
    }

    let block: Block
    let offset: Int
    package let count: Int

    /// Calls `body` with the section's bytes.
    @inline(__always)
    package func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withExtendedLifetime(block) { body(UnsafeRawBufferPointer(start: block.base + offset, count: count)) }
    }

    /// The section's bytes, copied.
    package var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    package static func == (a: EncodedFields, b: EncodedFields) -> Bool {
        a.count == b.count && a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
    }
}
