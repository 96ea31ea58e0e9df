/// The sparse offset (`.oix`) and time (`.tix`) indexes of one segment (log-format/SPEC.md §7.1–7.2).
public struct SparseIndex: Sendable {
    public struct Entry: Sendable, Hashable {
        public var relativeOffset: UInt32
        public var position: UInt32
        public var time: Int64
    }

    public static let headerSize = 16
    static let offsetMagic: [UInt8] = Array("LOIX".utf8)
    static let timeMagic: [UInt8] = Array("LTIX".utf8)

    public var baseOffset: UInt64
    public var entries: [Entry] = []

    public init(baseOffset: UInt64) { self.baseOffset = baseOffset }

    static func encode(offset e: Entry) -> [UInt8] {
        var w = ByteWriter(capacity: 8)
        w.u32(e.relativeOffset)
        w.u32(e.position)
        return w.bytes
    }

    static func encode(time e: Entry) -> [UInt8] {
        var w = ByteWriter(capacity: 12)
        w.i64(e.time)
        w.u32(e.relativeOffset)
        return w.bytes
    }

    /// Loads both index files of the segment at `base`; entries that are malformed, out of order,
    /// or disagree between the two files end the index there (the rest is ignored, never trusted).
    public static func load(directory: String, base: UInt64) -> SparseIndex {
        var index = SparseIndex(baseOffset: base)
        guard let of = try? LogFile(path: directory + "/" + SegmentName.file(base, "oix"), mode: .readOnly),
              let tf = try? LogFile(path: directory + "/" + SegmentName.file(base, "tix"), mode: .readOnly),
              let osz = try? of.size(), let tsz = try? tf.size(), osz >= 16, tsz >= 16,
              let ob = try? of.read(Int(osz), at: 0), let tb = try? tf.read(Int(tsz), at: 0),
              Array(ob[0..<16]) == IndexFileHeader.encode(offsetMagic, base), Array(tb[0..<16]) == IndexFileHeader.encode(timeMagic, base)
        else { return index }
        let n = min((ob.count - 16) / 8, (tb.count - 16) / 12)
        ob.withUnsafeBytes { o in
            tb.withUnsafeBytes { t in
                for i in 0..<n {
                    let rel = o.loadUnaligned(fromByteOffset: 16 + 8 * i, as: UInt32.self).littleEndian
                    let pos = o.loadUnaligned(fromByteOffset: 20 + 8 * i, as: UInt32.self).littleEndian
                    let time = t.loadUnaligned(fromByteOffset: 16 + 12 * i, as: Int64.self).littleEndian
                    let trel = t.loadUnaligned(fromByteOffset: 24 + 12 * i, as: UInt32.self).littleEndian
                    let e = Entry(relativeOffset: rel, position: pos, time: time)
                    if trel != rel { return }
                    if let last = index.entries.last,
                       !(rel > last.relativeOffset && pos > last.position && time >= last.time) { return }
                    if index.entries.isEmpty && pos != UInt32(SegmentHeader.size) { return }
                    index.entries.append(e)
                }
            }
        }
        return index
    }

    /// The last entry whose offset is at most `offset`.
    public func floor(offset: UInt64) -> Int? {
        guard offset >= baseOffset else { return nil }
        let rel = offset - baseOffset
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if UInt64(entries[mid].relativeOffset) <= rel { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : lo - 1
    }

    /// The last entry whose time is below `time`.
    public func floor(timeBelow time: Int64) -> Int? {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].time < time { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : lo - 1
    }
}

/// Appends sparse index entries for the active segment.
final class SparseIndexWriter {
    let offsetFile: LogFile
    let timeFile: LogFile
    let baseOffset: UInt64
    private(set) var entryCount: Int
    private(set) var lastPosition: UInt64
    private var bytesSinceEntry: UInt64 = 0
    let interval: UInt64

    /// Opens (creating or truncating to `keep` entries) the index files of the segment at `base`.
    init(directory: String, base: UInt64, keep: [SparseIndex.Entry], interval: UInt64) throws(LogError) {
        offsetFile = try LogFile(path: directory + "/" + SegmentName.file(base, "oix"), mode: .create)
        timeFile = try LogFile(path: directory + "/" + SegmentName.file(base, "tix"), mode: .create)
        baseOffset = base
        self.interval = interval
        var ob = IndexFileHeader.encode(SparseIndex.offsetMagic, base)
        var tb = IndexFileHeader.encode(SparseIndex.timeMagic, base)
        for e in keep {
            ob += SparseIndex.encode(offset: e)
            tb += SparseIndex.encode(time: e)
        }
        try offsetFile.truncate(to: 0)
        try timeFile.truncate(to: 0)
        try offsetFile.write(ob, at: 0)
        try timeFile.write(tb, at: 0)
        entryCount = keep.count
        lastPosition = keep.last.map { UInt64($0.position) } ?? 0
    }

    /// Records a batch just written at `position`; writes an entry when due.
    func noteBatch(_ h: BatchHeader, position: UInt64) throws(LogError) {
        let due = entryCount == 0 || bytesSinceEntry >= interval
        bytesSinceEntry += UInt64(h.length)
        guard due, position > lastPosition || entryCount == 0 else { return }
        let e = SparseIndex.Entry(relativeOffset: UInt32(h.baseOffset - baseOffset), position: UInt32(position), time: h.firstTime)
        try offsetFile.write(SparseIndex.encode(offset: e), at: UInt64(16 + 8 * entryCount))
        try timeFile.write(SparseIndex.encode(time: e), at: UInt64(16 + 12 * entryCount))
        entryCount += 1
        lastPosition = position
        bytesSinceEntry = UInt64(h.length)
    }
}
