import CLedgerSupport
public import LedgerLog

/// The delta state's records: an open-addressing hash table from record id to ``RecordState``, one
/// 64-byte slot per record, and beside the slots one tag byte per slot.
///
/// Record ids are XXH3-128 outputs, so their low word already spreads evenly and picks the slot
/// (linear probing; records are never removed, a delete is a state). Probes read the tags (7 bits of
/// the high word, 0 for empty): looking up a new record touches no slot, a known one touches one.
/// Rowversions, which few sources have, live beside the slots. A value type with copy-on-write, like
/// `Dictionary`.
///
/// A table loaded from a snapshot reads that snapshot's slots in place (``RecordTableImage``) and
/// keeps only the records set since in its own slots, which a lookup tries first.
public struct RecordTable: Sendable {
    struct Slot {
        var high: UInt64
        var low: UInt64
        var dataHash: Digest32
        var offset: UInt64
        var entity: UInt16
        /// ``deleted``, ``hasRowversion``.
        var flags: UInt8

        static let deleted: UInt8 = 1
        static let hasRowversion: UInt8 = 2

        /// The slot's record, its rowversion (when flagged) taken from `rowversions`.
        @inline(__always)
        func state(_ id: XXH128, _ rowversions: [XXH128: String]) -> RecordState {
            RecordState(entity: entity, deleted: flags & Slot.deleted != 0, dataHash: dataHash,
                        rowversion: flags & Slot.hasRowversion != 0 ? rowversions[id] : nil, offset: offset)
        }
    }

    final class Storage: @unchecked Sendable {
        let slots: UnsafeMutablePointer<Slot>
        /// Per slot: 0 when empty, else 0x80 | the id's top 7 bits.
        let tags: UnsafeMutablePointer<UInt8>
        /// A power of two.
        let capacity: Int
        var count = 0

        init(capacity: Int) {
            self.capacity = capacity
            let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Slot>.stride, alignment: 64)
            slots = raw.bindMemory(to: Slot.self, capacity: capacity)
            tags = .allocate(capacity: capacity)
            tags.initialize(repeating: 0, count: capacity)
        }

        deinit {
            UnsafeMutableRawPointer(slots).deallocate()
            tags.deallocate()
        }

        func copy(capacity newCapacity: Int) -> Storage {
            let s = Storage(capacity: newCapacity)
            if newCapacity == capacity {
                s.slots.update(from: slots, count: capacity)
                s.tags.update(from: tags, count: capacity)
                s.count = count
            } else {
                for i in 0..<capacity where tags[i] != 0 { s.insert(slots[i]) }
            }
            return s
        }

        /// The slot holding `id`, or the empty slot where it belongs.
        @inline(__always)
        func find(_ id: XXH128) -> (index: Int, found: Bool) {
            let mask = capacity - 1
            let tag = Storage.tag(id)
            var i = Int(truncatingIfNeeded: id.low) & mask
            while true {
                let t = tags[i]
                if t == 0 { return (i, false) }
                if t == tag && slots[i].low == id.low && slots[i].high == id.high { return (i, true) }
                i = (i + 1) & mask
            }
        }

        @inline(__always)
        static func tag(_ id: XXH128) -> UInt8 { 0x80 | UInt8(truncatingIfNeeded: id.high >> 57) }

        /// Inserts a slot whose id is not in the table; the caller keeps the load factor.
        func insert(_ slot: Slot) {
            let id = XXH128(high: slot.high, low: slot.low)
            let (i, _) = find(id)
            slots[i] = slot
            tags[i] = Storage.tag(id)
            count += 1
        }
    }

    /// The records set since ``image`` (all of them when there is none).
    private(set) var storage: Storage
    private(set) var rowversions: [XXH128: String] = [:]
    /// The snapshot's records, read in place; nil for a table built in memory.
    private(set) var image: RecordTableImage?

    public init() { storage = Storage(capacity: 16) }

    /// A table holding `image`'s records, with room to set an eighth of them over it without growing.
    init(image: RecordTableImage) {
        storage = Storage(capacity: Self.capacity(for: Swift.max(16_384, image.count / 8)))
        self.image = image
    }

    /// The number of records. Over an image it looks up each record set since the load, to count
    /// once those the image also holds.
    public var count: Int {
        guard let image else { return storage.count }
        var overlaid = 0
        for i in 0..<storage.capacity where storage.tags[i] != 0 {
            if image.find(XXH128(high: storage.slots[i].high, low: storage.slots[i].low)) != nil { overlaid += 1 }
        }
        return image.count + storage.count - overlaid
    }
    /// At once: a record set since the image is a record, so the table is empty when both are.
    public var isEmpty: Bool { countUpperBound == 0 }

    /// ``count`` at once: exact without an image, else the image's records plus those set since.
    var countUpperBound: Int { (image?.count ?? 0) + storage.count }

    /// The records set since the table was loaded from a snapshot's image (all of them when it was not).
    public var setSinceLoad: Int { storage.count }

    /// The records in the table's own slots, in slot order: with an image, those set since it was loaded.
    var ownRecords: [(key: XXH128, value: RecordState)] {
        var out: [(key: XXH128, value: RecordState)] = []
        out.reserveCapacity(storage.count)
        for i in 0..<storage.capacity where storage.tags[i] != 0 {
            let slot = storage.slots[i]
            let id = XXH128(high: slot.high, low: slot.low)
            out.append((id, slot.state(id, rowversions)))
        }
        return out
    }

    /// The same records in a table of its own slots, with no image: what a whole snapshot writes.
    func flattened() -> RecordTable {
        guard image != nil else { return self }
        var t = RecordTable()
        t.reserveCapacity(count)
        for (id, r) in self { t.set(id, r) }
        return t
    }

    /// The smallest capacity that holds `n` records at a load factor of at most 3/4.
    static func capacity(for n: Int) -> Int {
        var c = 16
        while n > c / 4 * 3 { c <<= 1 }
        return c
    }

    /// Makes room for `n` records in all without growing again.
    public mutating func reserveCapacity(_ n: Int) {
        let c = Self.capacity(for: n)
        if c > storage.capacity { storage = storage.copy(capacity: c) }
    }

    /// Where the table's own slots lie now, to prefetch them: the table is far larger than the
    /// caches, and a caller that knows the ids ahead saves the wait. Valid until the table grows; a
    /// prefetch of memory freed since does nothing.
    var prefetcher: RecordPrefetcher {
        RecordPrefetcher(tags: UnsafeRawPointer(storage.tags), slots: UnsafeRawPointer(storage.slots),
                         mask: storage.capacity - 1, stride: MemoryLayout<Slot>.stride)
    }

    public subscript(id: XXH128) -> RecordState? {
        let (i, found) = storage.find(id)
        if found { return storage.slots[i].state(id, rowversions) }
        guard let image, let at = image.find(id) else { return nil }
        return image.record(at: at).slot.state(id, image.rowversions)
    }

    /// Sets the state of record `id`, adding it if new.
    public mutating func set(_ id: XXH128, _ r: RecordState) {
        set(id, entity: r.entity, deleted: r.deleted, dataHash: r.dataHash, rowversion: r.rowversion, offset: r.offset)
    }

    /// ``set(_:_:)`` with the state's parts: a snapshot loads a million records without making a
    /// ``RecordState`` (and copying its optional string) for each.
    mutating func set(_ id: XXH128, entity: UInt16, deleted: Bool, dataHash: Digest32, rowversion: String?, offset: UInt64) {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy(capacity: storage.capacity) }
        var (i, found) = storage.find(id)
        if !found, storage.count + 1 > storage.capacity / 4 * 3 {
            storage = storage.copy(capacity: storage.capacity * 2)
            i = storage.find(id).index
        }
        let had = found && storage.slots[i].flags & Slot.hasRowversion != 0
        var flags = deleted ? Slot.deleted : 0
        if let rowversion {
            flags |= Slot.hasRowversion
            rowversions[id] = rowversion
        } else if had {
            rowversions[id] = nil
        }
        storage.slots[i] = Slot(high: id.high, low: id.low, dataHash: dataHash, offset: offset, entity: entity, flags: flags)
        if !found {
            storage.tags[i] = Storage.tag(id)
            storage.count += 1
        }
    }

    /// The record ids, in slot order.
    public var keys: [XXH128] { map(\.key) }
}

extension RecordTable: Sequence {
    /// Iterates the records in slot order: those of the image not set since, then the table's own.
    public struct Iterator: IteratorProtocol {
        let table: RecordTable
        var imageIndex = 0
        var index = 0

        public mutating func next() -> (key: XXH128, value: RecordState)? {
            if let image = table.image {
                while imageIndex < image.count {
                    let (id, slot) = image.record(at: imageIndex)
                    imageIndex += 1
                    if table.storage.find(id).found { continue }
                    return (id, slot.state(id, image.rowversions))
                }
            }
            let s = table.storage
            while index < s.capacity {
                let i = index
                index += 1
                if s.tags[i] != 0 {
                    let slot = s.slots[i]
                    let id = XXH128(high: slot.high, low: slot.low)
                    return (id, slot.state(id, table.rowversions))
                }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(table: self) }
    public var underestimatedCount: Int { image?.count ?? storage.count }
}

extension RecordTable: Equatable {
    /// Equal when both hold the same records with the same states, whatever their capacities.
    public static func == (a: RecordTable, b: RecordTable) -> Bool {
        guard a.count == b.count else { return false }
        return a.allSatisfy { b[$0.key] == $0.value }
    }
}

/// Starts loading the cache lines where a record would be found in a ``RecordTable`` (its tag and its
/// slot at the record's home position).
struct RecordPrefetcher {
    let tags: UnsafeRawPointer
    let slots: UnsafeRawPointer
    let mask: Int
    let stride: Int

    /// The tag and the slot: what setting the record reads and writes.
    @inline(__always)
    func prefetch(_ id: XXH128) {
        let i = Int(truncatingIfNeeded: id.low) & mask
        ledger_prefetch(tags + i)
        ledger_prefetch(slots + i * stride)
    }

    /// The tag alone: all a lookup of a record not in the table reads (a backfill's every record).
    @inline(__always)
    func prefetchTag(_ id: XXH128) {
        ledger_prefetch(tags + (Int(truncatingIfNeeded: id.low) & mask))
    }
}
