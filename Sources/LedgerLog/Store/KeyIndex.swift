/// The per-record key index of one segment: sorted runs in `.kix` plus the `.kjl` journal
/// (log-format/SPEC.md §7.3). An entry is 6 bytes: the first three bytes of the record id and the
/// event's offset relative to the segment base (24 bits; a segment holds at most 2^24 events). Lookups return candidates; callers check each
/// event's full record id.
public enum KeyIndex {
    public static let entrySize = 6
    /// Segments roll before their relative offsets outgrow the entries' 24 bits.
    public static let maxEventsPerSegment: UInt64 = 1 << 24
    static let kixMagic: [UInt8] = Array("LKIX".utf8)
    static let kjlMagic: [UInt8] = Array("LKJL".utf8)
    static let runMagic: [UInt8] = Array("KRUN".utf8)
    static let runHeaderSize = 24

    /// An entry as the writer knows it (full record id and absolute offset).
    public struct Entry: Sendable, Hashable {
        public var recordID: XXH128
        public var offset: UInt64

        public init(recordID: XXH128, offset: UInt64) {
            self.recordID = recordID
            self.offset = offset
        }

        /// The record id's first three bytes, as a big-endian number (their sort order).
        public var prefix: UInt32 { UInt32(truncatingIfNeeded: recordID.high >> 40) }
    }

    /// An entry as stored: record id prefix and offset relative to the segment base.
    public struct Stored: Sendable, Hashable {
        public var prefix: UInt32
        public var relativeOffset: UInt32
    }

    static func encode(_ e: Entry, base: UInt64, into w: inout ByteWriter) {
        encode(prefix: e.prefix, relativeOffset: UInt32(e.offset - base), into: &w)
    }

    static func encode(prefix p: UInt32, relativeOffset r: UInt32, into w: inout ByteWriter) {
        w.u8(UInt8(truncatingIfNeeded: p >> 16))
        w.u8(UInt8(truncatingIfNeeded: p >> 8))
        w.u8(UInt8(truncatingIfNeeded: p))
        w.u8(UInt8(truncatingIfNeeded: r))
        w.u8(UInt8(truncatingIfNeeded: r >> 8))
        w.u8(UInt8(truncatingIfNeeded: r >> 16))
    }

    static func decode(_ raw: UnsafeRawBufferPointer, at p: Int) -> Stored {
        Stored(prefix: UInt32(raw[p]) << 16 | UInt32(raw[p + 1]) << 8 | UInt32(raw[p + 2]),
               relativeOffset: UInt32(raw[p + 3]) | UInt32(raw[p + 4]) << 8 | UInt32(raw[p + 5]) << 16)
    }

    /// Sorts packed `prefix << 32 | relative offset` keys. When the offsets ascend in input order (as
    /// the journal's do), a stable radix sort on the 24-bit prefix gives the same order as `sort()` in
    /// three linear passes; otherwise it falls back to `sort()`.
    static func sortRun(_ keys: inout [UInt64]) {
        var ascending = true
        for i in keys.indices.dropFirst() where UInt32(truncatingIfNeeded: keys[i]) <= UInt32(truncatingIfNeeded: keys[i - 1]) {
            ascending = false
            break
        }
        guard ascending, keys.count > 64 else {
            keys.sort()
            return
        }
        var other = [UInt64](repeating: 0, count: keys.count)
        for shift in stride(from: UInt64(32), to: 56, by: 8) {
            var counts = [Int](repeating: 0, count: 257)
            keys.withUnsafeBufferPointer { src in
                other.withUnsafeMutableBufferPointer { dst in
                    counts.withUnsafeMutableBufferPointer { c in
                        for k in src { c[Int((k >> shift) & 0xFF) + 1] += 1 }
                        for b in 1...256 { c[b] += c[b - 1] }
                        for k in src {
                            let b = Int((k >> shift) & 0xFF)
                            dst[c[b]] = k
                            c[b] += 1
                        }
                    }
                }
            }
            swap(&keys, &other)
        }
    }

    /// A run as found in a `.kix` file.
    public struct Run: Sendable {
        public var position: UInt64
        public var count: Int
        public var firstOffset: UInt64
        public var nextOffset: UInt64
        public var entriesPosition: UInt64 { position + UInt64(runHeaderSize) }
        public var endPosition: UInt64 { entriesPosition + UInt64(count * entrySize) + 4 }
    }

    /// Lists the runs of a `.kix` file by their headers, stopping at the first one that does not fit.
    /// When `checkCRC` is set, a run whose CRC fails ends the list too.
    public static func runs(_ f: LogFile, base: UInt64, checkCRC: Bool) throws(LogError) -> [Run] {
        guard let map = MappedFile(f) else { return [] }
        return runs(map.bytes, base: base, checkCRC: checkCRC)
    }

    /// The same, over the file's bytes in memory.
    static func runs(_ raw: UnsafeRawBufferPointer, base: UInt64, checkCRC: Bool) -> [Run] {
        let size = UInt64(raw.count)
        guard size >= 16, Array(raw[0..<16]) == IndexFileHeader.encode(kixMagic, base) else { return [] }
        var out: [Run] = []
        var p: UInt64 = 16
        var expectedFirst = base
        while p + UInt64(runHeaderSize) <= size {
            let at = Int(p)
            guard raw[at] == runMagic[0], raw[at + 1] == runMagic[1], raw[at + 2] == runMagic[2], raw[at + 3] == runMagic[3] else { break }
            let count = Int(raw.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self).littleEndian)
            let first = raw.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self).littleEndian
            let next = raw.loadUnaligned(fromByteOffset: at + 16, as: UInt64.self).littleEndian
            let run = Run(position: p, count: count, firstOffset: first, nextOffset: next)
            guard first == expectedFirst, next >= first, UInt64(count) == next - first, run.endPosition <= size else { break }
            if checkCRC && !CRC32C.matchesTrailer(raw, start: Int(run.entriesPosition), count: count * entrySize) { break }
            out.append(run)
            expectedFirst = next
            p = run.endPosition
        }
        return out
    }

    /// Candidate offsets for `recordID` in the segment at `base`, below `limit`, ascending.
    /// `coveredUntil` is the offset up to which the index is complete; events from there on must be scanned.
    public static func lookup(directory: String, base: UInt64, recordID: XXH128, limit: UInt64) throws(LogError) -> (offsets: [UInt64], coveredUntil: UInt64) {
        let prefix = Entry(recordID: recordID, offset: 0).prefix
        var found: [UInt64] = []
        var journalFrom = base
        if let f = try? LogFile(path: directory + "/" + SegmentName.file(base, "kix"), mode: .readOnly),
           let map = MappedFile(f) {
            let raw = map.bytes
            for run in runs(raw, base: base, checkCRC: false) {
                journalFrom = run.nextOffset
                let start = Int(run.entriesPosition)
                func entry(_ i: Int) -> Stored { decode(raw, at: start + i * entrySize) }
                var lo = 0, hi = run.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if entry(mid).prefix < prefix { lo = mid + 1 } else { hi = mid }
                }
                var i = lo
                while i < run.count {
                    let e = entry(i)
                    guard e.prefix == prefix else { break }
                    let o = base + UInt64(e.relativeOffset)
                    if o < limit { found.append(o) }
                    i += 1
                }
            }
        }
        if let j = try? LogFile(path: directory + "/" + SegmentName.file(base, "kjl"), mode: .readOnly) {
            let size = try j.size()
            if size >= 16, try j.read(16, at: 0) == IndexFileHeader.encode(kjlMagic, journalFrom) {
                let bytes = try j.read(Int(size - 16), at: 16)
                bytes.withUnsafeBytes { raw in
                    var p = 0
                    while p + entrySize <= raw.count {
                        let e = decode(raw, at: p)
                        guard base + UInt64(e.relativeOffset) == journalFrom else { break }
                        if e.prefix == prefix && journalFrom < limit { found.append(journalFrom) }
                        journalFrom += 1
                        p += entrySize
                    }
                }
            }
        }
        return (found.sorted(), journalFrom)
    }
}

/// Maintains the key index of the active segment.
final class KeyIndexWriter {
    let directory: String
    let base: UInt64
    let runSize: Int
    private let kix: LogFile
    private var kixEnd: UInt64
    private let kjl: LogFile
    private(set) var pending: [KeyIndex.Entry] = []
    private(set) var journalFrom: UInt64

    /// Opens the index of the segment at `base` whose events end at `nextOffset`. Valid runs are kept;
    /// `rebuild` supplies the entries from a given offset up to `nextOffset` by reading the segment.
    init(directory: String, base: UInt64, nextOffset: UInt64, runSize: Int,
         rebuild: (UInt64) throws(LogError) -> [KeyIndex.Entry]) throws(LogError) {
        self.directory = directory
        self.base = base
        self.runSize = runSize
        kix = try LogFile(path: directory + "/" + SegmentName.file(base, "kix"), mode: .create)
        kjl = try LogFile(path: directory + "/" + SegmentName.file(base, "kjl"), mode: .create)
        var runs = try KeyIndex.runs(kix, base: base, checkCRC: true)
        while let last = runs.last, last.nextOffset > nextOffset { runs.removeLast() }
        if runs.isEmpty {
            try kix.truncate(to: 0)
            try kix.write(IndexFileHeader.encode(KeyIndex.kixMagic, base), at: 0)
            kixEnd = 16
        } else {
            kixEnd = runs.last!.endPosition
            try kix.truncate(to: kixEnd)
        }
        journalFrom = runs.last?.nextOffset ?? base
        pending = try rebuild(journalFrom)
        var w = ByteWriter(capacity: 16 + pending.count * KeyIndex.entrySize)
        w.raw(IndexFileHeader.encode(KeyIndex.kjlMagic, journalFrom))
        for e in pending { KeyIndex.encode(e, base: base, into: &w) }
        try kjl.truncate(to: 0)
        try kjl.write(w.bytes, at: 0)
    }

    func add(_ entries: [KeyIndex.Entry]) throws(LogError) {
        var w = ByteWriter(capacity: entries.count * KeyIndex.entrySize)
        for e in entries { KeyIndex.encode(e, base: base, into: &w) }
        try kjl.write(w.bytes, at: UInt64(16 + pending.count * KeyIndex.entrySize))
        pending.append(contentsOf: entries)
        if pending.count >= runSize { try flushRun() }
    }

    /// Writes the journal as one sorted run and starts an empty journal.
    func flushRun() throws(LogError) {
        guard let last = pending.last else { return }
        // Sort (prefix, relative offset) packed into one integer: the order of the stored entries.
        var keys = pending.map { UInt64($0.prefix) << 32 | ($0.offset - base) }
        KeyIndex.sortRun(&keys)
        var w = ByteWriter(capacity: KeyIndex.runHeaderSize + keys.count * KeyIndex.entrySize + 4)
        w.raw(KeyIndex.runMagic)
        w.u32(UInt32(keys.count))
        w.u64(journalFrom)
        w.u64(last.offset + 1)
        for k in keys { KeyIndex.encode(prefix: UInt32(k >> 32), relativeOffset: UInt32(truncatingIfNeeded: k), into: &w) }
        let crc = w.bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[KeyIndex.runHeaderSize...])) }
        w.u32(crc)
        try kix.write(w.bytes, at: kixEnd)
        kixEnd += UInt64(w.count)
        journalFrom = last.offset + 1
        pending.removeAll(keepingCapacity: true)
        try kjl.truncate(to: 0)
        try kjl.write(IndexFileHeader.encode(KeyIndex.kjlMagic, journalFrom), at: 0)
    }

    /// At seal time: everything goes into runs and the journal file is removed.
    func seal() throws(LogError) {
        try flushRun()
        try mergeRuns()
        LogDirectory.remove(directory + "/" + SegmentName.file(base, "kjl"))
    }

    /// Merges all runs into one sorted run (a k-way merge over the mapped file), so that a lookup in a
    /// sealed segment is a single binary search. Written under `.kix.tmp`, fsynced, then renamed.
    private func mergeRuns() throws(LogError) {
        guard let map = MappedFile(kix) else { return }
        let raw = map.bytes
        let runs = KeyIndex.runs(raw, base: base, checkCRC: true)
        guard runs.count > 1, let last = runs.last, last.endPosition == UInt64(raw.count) else {
            try kix.sync()
            return
        }
        let total = runs.reduce(0) { $0 + $1.count }
        let es = KeyIndex.entrySize
        func key(_ run: Int, _ i: Int) -> UInt64 {
            let e = KeyIndex.decode(raw, at: Int(runs[run].entriesPosition) + i * es)
            return UInt64(e.prefix) << 32 | UInt64(e.relativeOffset)
        }
        // A binary min-heap of (key, run); next[run] is the run's next entry.
        var next = [Int](repeating: 1, count: runs.count)
        var heap: [(UInt64, Int)] = runs.indices.compactMap { runs[$0].count > 0 ? (key($0, 0), $0) : nil }
        func down(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && heap[l].0 < heap[m].0 { m = l }
                if r < heap.count && heap[r].0 < heap[m].0 { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { down(i) }
        // Written through a buffer of bounded size: one allocation as large as the segment's entries
        // would raise glibc's mmap threshold and keep the writer's resident memory up.
        _ = try LogFile.createAtomically(directory: directory, name: SegmentName.file(base, "kix")) { (file) throws(LogError) in
            var w = ByteWriter(capacity: 1 << 20)
            var written: UInt64 = 0
            var crc: UInt32 = 0
            func flush() throws(LogError) {
                try file.write(w.bytes, at: written)
                written += UInt64(w.count)
                w.removeAll()
            }
            w.raw(IndexFileHeader.encode(KeyIndex.kixMagic, base))
            w.raw(KeyIndex.runMagic)
            w.u32(UInt32(total))
            w.u64(base)
            w.u64(last.nextOffset)
            try flush()
            while let (k, run) = heap.first {
                KeyIndex.encode(prefix: UInt32(k >> 32), relativeOffset: UInt32(truncatingIfNeeded: k), into: &w)
                if next[run] < runs[run].count {
                    heap[0] = (key(run, next[run]), run)
                    next[run] += 1
                } else {
                    heap[0] = heap[heap.count - 1]
                    heap.removeLast()
                }
                down(0)
                if w.count >= 1 << 20 - es {
                    crc = w.bytes.withUnsafeBytes { CRC32C.checksum($0, continuing: crc) }
                    try flush()
                }
            }
            crc = w.bytes.withUnsafeBytes { CRC32C.checksum($0, continuing: crc) }
            w.u32(crc)
            try flush()
        }
    }
}
