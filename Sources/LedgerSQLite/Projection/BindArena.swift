/// Memory for one statement execution's text parameters: filled as they are bound, emptied once
/// the statement has run. Stored bytes stay in place until ``reset()``.
final class BindArena {
    private let base: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0
    /// Parameters that did not fit, each in its own allocation, freed on reset.
    private var spilled: [UnsafeMutableRawPointer] = []

    init(capacity: Int = 65_536) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        reset()
        base.deallocate()
    }

    /// A copy of `bytes` (not empty) that stays valid until ``reset()``.
    @inline(__always)
    func store(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawPointer {
        let p: UnsafeMutableRawPointer
        if used + bytes.count <= capacity {
            p = base + used
            used += bytes.count
        } else {
            p = .allocate(byteCount: bytes.count, alignment: 1)
            spilled.append(p)
        }
        p.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        return UnsafeRawPointer(p)
    }

    func reset() {
        used = 0
        guard !spilled.isEmpty else { return }
        for p in spilled { p.deallocate() }
        spilled.removeAll(keepingCapacity: true)
    }
}
