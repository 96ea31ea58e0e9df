/// A growable raw byte buffer that the batch encoder writes into without per-byte checks.
final class ScratchBuffer {
    // Used by one thread at a time, as its owner is: no run-time exclusivity checks on the hot path.
    @exclusivity(unchecked) private(set) var pointer: UnsafeMutableRawPointer
    @exclusivity(unchecked) private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        pointer = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { pointer.deallocate() }

    /// Makes room for `count` bytes in total, keeping the first `keeping` bytes.
    func reserve(_ count: Int, keeping: Int) {
        guard count > capacity else { return }
        let newCapacity = max(count, capacity * 2)
        let p = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        p.copyMemory(from: pointer, byteCount: keeping)
        pointer.deallocate()
        pointer = p
        capacity = newCapacity
    }

    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: pointer + range.lowerBound, count: range.count)
    }
}
