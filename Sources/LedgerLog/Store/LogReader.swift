import Dispatch
import Synchronization

/// Read access to a log directory, safe to use while a writer (in this or another process) appends.
///
/// Readers see only committed events: those below HEAD's next offset.
public struct LogReader: Sendable {
    public let directory: String

    public init(directory: String) throws(LogError) {
        guard LogDirectory.exists(directory) else {
            throw LogError(.notFound, "no log at \(directory)")
        }
        self.directory = directory
    }

    /// The committed head: HEAD when it is valid, otherwise the end of the last whole batch.
    public func head() throws(LogError) -> HeadRecord {
        if let h = HeadRecord.read(directory: directory) { return h }
        // No valid HEAD: the end of the last whole batch, from the newest segment that is not being created.
        for base in try LogDirectory.segmentBases(directory).reversed() {
            guard let s = try SegmentScanner.openIfComplete(path: directory + "/" + SegmentName.file(base, "seg")) else { continue }
            let c = try EventCursor(directory: directory, from: base, limit: nil)
            var last: LogEvent?
            while let e = try c.next() { last = e }
            if let last { return HeadRecord(nextOffset: last.offset + 1, chainHead: last.hash) }
            return HeadRecord(nextOffset: s.header.baseOffset, chainHead: s.header.previousHash)
        }
        return HeadRecord(nextOffset: 0, chainHead: .zero)
    }

    /// A cursor from `offset` up to the committed head (or `limit`).
    public func cursor(from offset: UInt64, limit: UInt64? = nil) throws(LogError) -> EventCursor {
        let l: UInt64
        if let limit { l = limit } else { l = try head().nextOffset }
        return try EventCursor(directory: directory, from: offset, limit: l)
    }

    /// The committed event at `offset`, or nil when it is at or past the committed head.
    public func event(at offset: UInt64) throws(LogError) -> LogEvent? {
        try event(at: offset, head: head().nextOffset)
    }

    /// The events at `offsets`, read concurrently; the first error wins.
    func events(at offsets: [UInt64], head: UInt64) throws(LogError) -> [LogEvent] {
        let results = Mutex([Result<LogEvent?, LogError>](repeating: .success(nil), count: offsets.count))
        DispatchQueue.concurrentPerform(iterations: offsets.count) { i in
            let r = Result { () throws(LogError) in try event(at: offsets[i], head: head) }
            results.withLock { $0[i] = r }
        }
        var out: [LogEvent] = []
        for r in results.withLock({ $0 }) {
            if let e = try r.get() { out.append(e) }
        }
        return out
    }

    func event(at offset: UInt64, head: UInt64) throws(LogError) -> LogEvent? {
        guard offset < head else { return nil }
        return try EventCursor(directory: directory, from: offset, limit: offset + 1).next()
    }

    /// The offset of the first event committed at or after `time` (the head if none).
    public func offset(atOrAfter time: Timestamp) throws(LogError) -> UInt64 {
        let head = try head().nextOffset
        let bases = try LogDirectory.segmentBases(directory)
        var start: UInt64 = bases.first ?? 0
        for base in bases {
            guard let s = try SegmentScanner.openIfComplete(path: directory + "/" + SegmentName.file(base, "seg")),
                  case .batch(let h, _) = try s.step(at: UInt64(SegmentHeader.size)) else { break }
            if h.firstTime < time.microseconds { start = base } else { break }
        }
        let index = SparseIndex.load(directory: directory, base: start)
        if let k = index.floor(timeBelow: time.microseconds) { start = index.baseOffset + UInt64(index.entries[k].relativeOffset) }
        let c = try EventCursor(directory: directory, from: start, limit: head)
        while let e = try c.next() {
            if e.time >= time { return e.offset }
        }
        return head
    }

    /// Every event of one record, oldest first, found through the key index.
    public func trail(entity: String, canonicalKey: String) throws(LogError) -> [LogEvent] {
        let rid = EventIdentity.recordID(entity: entity, canonicalKey: canonicalKey)
        let head = try head().nextOffset
        let bases = try LogDirectory.segmentBases(directory)
        var events: [LogEvent] = []
        var candidates: [UInt64] = []
        for (i, base) in bases.enumerated() where base < head {
            let end = i + 1 < bases.count ? min(bases[i + 1], head) : head
            let (found, covered) = try KeyIndex.lookup(directory: directory, base: base, recordID: rid, limit: end)
            candidates += found
            if covered < end { events += try scan(from: max(covered, base), to: end, recordID: rid) }
        }
        // Entries hold a prefix of the record id: read the candidates (on all cores) and check each full id.
        for ev in try self.events(at: candidates, head: head) where ev.recordID == rid { events.append(ev) }
        return events.sorted { $0.offset < $1.offset }
    }

    private func scan(from: UInt64, to: UInt64, recordID: XXH128) throws(LogError) -> [LogEvent] {
        let c = try EventCursor(directory: directory, from: from, limit: to)
        var out: [LogEvent] = []
        while let e = try c.next() {
            if e.recordID == recordID { out.append(e) }
        }
        return out
    }

    /// Key index entries for `[from, to)` of the segment at `segmentBase`, read from the events.
    func keyEntries(segmentBase: UInt64, from: UInt64, to: UInt64) throws(LogError) -> [KeyIndex.Entry] {
        guard from < to else { return [] }
        let c = try EventCursor(directory: directory, from: from, limit: to)
        var out: [KeyIndex.Entry] = []
        while let e = try c.next() {
            out.append(KeyIndex.Entry(recordID: e.recordID, offset: e.offset))
        }
        return out
    }

    /// The Merkle accumulator over the event hashes of the segment at `segmentBase`, below `limit`.
    func merkle(segmentBase: UInt64, limit: UInt64) throws(LogError) -> MerkleAccumulator {
        var acc = MerkleAccumulator()
        let c = try EventCursor(directory: directory, from: segmentBase, limit: limit)
        while let e = try c.next() { acc.append(e.hash) }
        return acc
    }
}

extension LogReader {
    /// The newest event of a record, found through the key index, or nil.
    public func latestEvent(recordID rid: XXH128, head: UInt64) throws(LogError) -> LogEvent? {
        let bases = try LogDirectory.segmentBases(directory)
        for (i, base) in bases.enumerated().reversed() where base < head {
            let end = i + 1 < bases.count ? min(bases[i + 1], head) : head
            let (candidates, covered) = try KeyIndex.lookup(directory: directory, base: base, recordID: rid, limit: end)
            if covered < end, let last = try scan(from: max(covered, base), to: end, recordID: rid).last { return last }
            for o in candidates.reversed() {
                if let ev = try event(at: o, head: head), ev.recordID == rid { return ev }
            }
        }
        return nil
    }
}

extension LogReader {
    /// The key field names of the newest event of `entity`, searching segments from the newest.
    public func keyFields(ofEntity entity: String) throws(LogError) -> [String]? {
        let head = try head().nextOffset
        for base in try LogDirectory.segmentBases(directory).reversed() where base < head {
            let c = try EventCursor(directory: directory, from: base, limit: head)
            var found: [String]?
            while let e = try c.next() {
                if e.entity == entity && e.op != .checkpoint { found = e.keyFields }
            }
            if let found { return found }
        }
        return nil
    }
}
