/// Reads events in offset order from a starting offset, verifying each batch's CRC and hash chain.
///
/// It stops at `limit` (the committed head) and can be extended to follow a growing log.
public final class EventCursor {
    let directory: String
    public private(set) var limit: UInt64?
    private var scanner: SegmentScanner?
    /// A segment that was still being created when last looked at.
    private var pendingBase: UInt64?
    /// Set when the cursor started inside a segment still being created: the chain head comes from its header.
    private var pendingFromSeek = false
    private var position: UInt64 = 0
    private var previousHash = Digest32.zero
    private var expectedNext: UInt64 = 0
    private var wanted: UInt64
    private var buffer: [LogEvent] = []
    private var index = 0
    private var scratch: [UInt8] = []

    init(directory: String, from offset: UInt64, limit: UInt64?) throws(LogError) {
        self.directory = directory
        self.limit = limit
        self.wanted = offset
        try seek(offset)
    }

    /// Where the last decoded batch started, when the limit cut it short (its later events were only hashed).
    private var cutBatch: (position: UInt64, previous: Digest32, base: UInt64, cut: UInt64)?

    /// Raises the limit, for example after HEAD moved.
    public func extend(to limit: UInt64?) {
        self.limit = limit
        if let c = cutBatch, (limit ?? .max) > c.cut {
            // Decode the rest of the batch that the old limit cut short.
            position = c.position
            previousHash = c.previous
            expectedNext = c.base
            wanted = max(wanted, c.cut)
            buffer = []
            index = 0
            cutBatch = nil
        }
    }

    /// The offset of the next event this cursor returns.
    public var nextOffset: UInt64 { index < buffer.count ? buffer[index].offset : max(wanted, expectedNext) }

    private func seek(_ offset: UInt64) throws(LogError) {
        let bases = try LogDirectory.segmentBases(directory)
        guard let base = bases.last(where: { $0 <= offset }) ?? bases.first else {
            throw LogError(.notFound, "the log has no segments", file: directory)
        }
        guard let s = try SegmentScanner.openIfComplete(path: directory + "/" + SegmentName.file(base, "seg")) else {
            pendingBase = base
            pendingFromSeek = true
            expectedNext = base
            return
        }
        scanner = s
        position = UInt64(SegmentHeader.size)
        previousHash = s.header.previousHash
        expectedNext = base
        let index = SparseIndex.load(directory: directory, base: base)
        if let k = index.floor(offset: offset), k >= 1 {
            let e = index.entries[k - 1]
            // Skip that batch: only its chain head is needed, so read its header alone. A damaged head
            // there cannot pass unnoticed: the next batch's hashes would not reach its own stored head.
            let raw = try s.file.read(BatchHeader.size, at: UInt64(e.position))
            if let h = try? raw.withBytes({ (b) throws(FormatError) in try BatchHeader(decoding: b) }),
               h.baseOffset == base + UInt64(e.relativeOffset) {
                position = UInt64(e.position) + UInt64(h.length)
                previousHash = h.chainHead
                expectedNext = h.nextOffset
            }
        }
    }

    /// The next committed event, or nil when the cursor has reached the limit or the end of the log.
    public func next() throws(LogError) -> LogEvent? {
        while true {
            if index < buffer.count {
                let e = buffer[index]
                if let limit, e.offset >= limit { return nil }
                index += 1
                return e
            }
            if let limit, expectedNext >= limit { return nil }
            if scanner == nil, let base = pendingBase {
                guard let n = try SegmentScanner.openIfComplete(path: directory + "/" + SegmentName.file(base, "seg")) else { return nil }
                guard n.header.baseOffset == expectedNext, pendingFromSeek || n.header.previousHash == previousHash else {
                    throw LogError(.damaged, "segment header does not continue the chain", file: n.file.name, position: 16)
                }
                if pendingFromSeek { previousHash = n.header.previousHash }
                scanner = n
                pendingBase = nil
                pendingFromSeek = false
                position = UInt64(SegmentHeader.size)
            }
            guard let s = scanner else { return nil }
            switch try s.step(at: position) {
            case .batch(let h, let p):
                guard h.baseOffset == expectedNext else {
                    throw LogError(.damaged, "batch base offset \(h.baseOffset) breaks the sequence (expected \(expectedNext))",
                                   file: s.file.name, position: p + 16)
                }
                position = p + UInt64(h.length)
                expectedNext = h.nextOffset
                if h.nextOffset <= wanted {
                    previousHash = h.chainHead
                    continue
                }
                let until = limit ?? .max
                cutBatch = until < h.nextOffset ? (p, previousHash, h.baseOffset, until) : nil
                let events = try BatchEvents.decode(s.batchBytes, header: h, previous: previousHash, file: s.file.name,
                                                    position: p, scratch: &scratch, from: wanted, until: until)
                previousHash = h.chainHead
                buffer = events
                index = 0
                while index < buffer.count && buffer[index].offset < wanted { index += 1 }
            case .footer(let f, let p):
                guard f.nextOffset == expectedNext, f.lastHash == previousHash else {
                    throw LogError(.damaged, "footer disagrees with the segment's events", file: s.file.name, position: p)
                }
                let nextPath = directory + "/" + SegmentName.file(expectedNext, "seg")
                guard let n = try SegmentScanner.openIfComplete(path: nextPath) else {
                    scanner = nil
                    pendingBase = expectedNext
                    position = UInt64(SegmentHeader.size)
                    return nil
                }
                guard n.header.baseOffset == expectedNext, n.header.previousHash == previousHash else {
                    throw LogError(.damaged, "segment header does not continue the chain", file: n.file.name, position: 16)
                }
                scanner = n
                position = UInt64(SegmentHeader.size)
            case .end, .torn:
                let before = s.size
                try s.refreshSize()
                if s.size != before { continue }
                if let limit, expectedNext < limit {
                    if case .torn(let p, let reason) = try s.step(at: position) {
                        throw LogError(.damaged, "\(reason); HEAD records offsets up to \(limit - 1) as committed", file: s.file.name, position: p)
                    }
                    throw LogError(.damaged, "the log ends at offset \(expectedNext) but HEAD records offsets up to \(limit - 1) as committed",
                                   file: s.file.name, position: position)
                }
                return nil
            case .damage(let e):
                throw e
            }
        }
    }
}
