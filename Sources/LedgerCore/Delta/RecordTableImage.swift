import LedgerLog

/// A read-only ``RecordTable`` read in place from a snapshot's bytes: the table's tag bytes (one per
/// slot) and its records' fixed parts in slot order, empty slots left out.
///
/// A lookup probes the tags as the table does; a slot's record is found by its rank among the
/// occupied slots (a count per 64 slots, built once from the tags, plus a popcount). Nothing is
/// copied per record, so a million-record snapshot is ready as soon as its checksum holds.
final class RecordTableImage: @unchecked Sendable {
    /// Keeps the bytes alive: a mapped file or an owned copy.
    private let owner: AnyObject
    private let tags: UnsafePointer<UInt8>
    private let records: UnsafeRawPointer
    /// A power of two.
    let capacity: Int
    let count: Int
    /// Per 64 slots: the occupied ones as bits, and the number of occupied slots before them.
    private let occupied: [UInt64]
    private let ranks: [UInt32]
    /// The rowversions of the records that have one.
    let rowversions: [XXH128: String]

    /// A record's fixed part: id, entity, flags, data hash, offset.
    static let recordBytes = 16 + 2 + 1 + 32 + 8

    /// Nil unless `tags` (`capacity` bytes) and `records` (`count` fixed parts) form a table this
    /// code could have written: a power-of-two capacity at most three quarters full, exactly `count`
    /// occupied slots, and entities below `entities`.
    init?(owner: AnyObject, tags: UnsafeRawBufferPointer, records: UnsafeRawBufferPointer, count: Int,
          entities: Int, rowversions: [XXH128: String]) {
        let capacity = tags.count
        guard capacity >= 16, capacity & (capacity - 1) == 0, count <= capacity / 4 * 3,
              records.count == count * Self.recordBytes else { return nil }
        let words = (capacity + 63) / 64
        var occupied = [UInt64](repeating: 0, count: words)
        var ranks = [UInt32](repeating: 0, count: words)
        // Eight tags at a time: a tag is 0 or has its top bit set, so the top bits are the occupied
        // slots; a byte with only low bits set is damage.
        let high: UInt64 = 0x8080_8080_8080_8080, low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var seen = 0, damaged = false
        occupied.withUnsafeMutableBufferPointer { bits in
            ranks.withUnsafeMutableBufferPointer { before in
                for w in 0..<bits.count {
                    before[w] = UInt32(truncatingIfNeeded: seen)
                    var word: UInt64 = 0
                    for k in 0..<min(8, (capacity &- w &* 64) / 8) {
                        let t = tags.loadUnaligned(fromByteOffset: w &* 64 &+ k &* 8, as: UInt64.self).littleEndian
                        if ((t & low) &+ low) & high & ~t != 0 { damaged = true }
                        word |= ((((t & high) >> 7) &* 0x0102_0408_1020_4080) >> 56) << UInt64(k &* 8)
                    }
                    bits[w] = word
                    seen &+= word.nonzeroBitCount
                }
            }
        }
        guard !damaged, seen == count else { return nil }
        for i in 0..<count where Int(records.loadUnaligned(fromByteOffset: i * Self.recordBytes + 16, as: UInt16.self).littleEndian) >= entities {
            return nil
        }
        self.owner = owner
        self.tags = tags.baseAddress!.assumingMemoryBound(to: UInt8.self)
        self.records = records.baseAddress ?? UnsafeRawPointer(self.tags)
        self.capacity = capacity
        self.count = count
        self.occupied = occupied
        self.ranks = ranks
        self.rowversions = rowversions
    }

    /// The index (in slot order) of `id`'s record, if the table holds it.
    @inline(__always)
    func find(_ id: XXH128) -> Int? {
        let mask = capacity - 1
        let tag = RecordTable.Storage.tag(id)
        var i = Int(truncatingIfNeeded: id.low) & mask
        while true {
            let t = tags[i]
            if t == 0 { return nil }
            if t == tag {
                let r = rank(i)
                let p = records + r * Self.recordBytes
                if p.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian == id.low,
                   p.loadUnaligned(as: UInt64.self).littleEndian == id.high { return r }
            }
            i = (i + 1) & mask
        }
    }

    @inline(__always)
    private func rank(_ slot: Int) -> Int {
        let w = slot >> 6
        let below = occupied[w] & ((1 << UInt64(slot & 63)) - 1)
        return Int(ranks[w]) + below.nonzeroBitCount
    }

    /// The record at `index` (slot order).
    @inline(__always)
    func record(at index: Int) -> (id: XXH128, slot: RecordTable.Slot) {
        let p = records + index * Self.recordBytes
        let id = XXH128(high: p.loadUnaligned(as: UInt64.self).littleEndian,
                        low: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian)
        let raw = UnsafeRawBufferPointer(start: p, count: Self.recordBytes)
        return (id, RecordTable.Slot(high: id.high, low: id.low, dataHash: Digest32(raw, at: 19),
                                     offset: p.loadUnaligned(fromByteOffset: 51, as: UInt64.self).littleEndian,
                                     entity: p.loadUnaligned(fromByteOffset: 16, as: UInt16.self).littleEndian,
                                     flags: p.load(fromByteOffset: 18, as: UInt8.self)))
    }
}
