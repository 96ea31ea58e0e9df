import Logging

/// Opens the segments of a log for writing: validates sealed segments and recovers the active one.
struct LogRecovery {
    struct State {
        var segment: LogFile
        var segmentBase: UInt64
        var position: UInt64
        var segmentFirstTime: Int64?
        var segmentLastTime: Int64
        var eventCountInSegment: UInt64
        var previousRoot: Digest32
        var nextOffset: UInt64
        var chainHead: Digest32
        var lastTime: Int64
        var sparseEntries: [SparseIndex.Entry]
        var unindexedBatches: [(BatchHeader, UInt64)]
    }

    let directory: String
    let clock: LogClock
    let logger: Logger

    private func path(_ base: UInt64, _ ext: String = "seg") -> String { directory + "/" + SegmentName.file(base, ext) }

    func recover() throws(LogError) -> State {
        for name in try LogDirectory.names(directory) where name.hasSuffix(".seg.tmp") {
            LogDirectory.remove(directory + "/" + name)   // a segment whose creation a crash interrupted
        }
        var bases = try LogDirectory.segmentBases(directory)
        var previousHash = Digest32.zero
        var previousRoot = Digest32.zero
        var expectedBase: UInt64 = 0
        var lastTime: Int64 = 0
        // Sealed segments: header and footer only (bounded work per segment).
        for (i, base) in bases.enumerated() {
            if i == bases.count - 1, base == expectedBase, try SegmentScanner.isBeingCreated(path: path(base)) {
                // A crash while creating this segment: it holds no event, so write its header again.
                logger.warning("rewrote the header of a segment whose creation was interrupted", metadata: ["segment": "\(SegmentName.file(base, "seg"))"])
                try createSegment(base: base, previousHash: previousHash, previousRoot: previousRoot)
            }
            let scanner = try SegmentScanner(path: path(base))
            let h = scanner.header
            let name = scanner.file.name
            guard h.baseOffset == base, base == expectedBase else {
                throw LogError(.damaged, "segment base offset \(h.baseOffset) does not continue the log at \(expectedBase)", file: name, position: 16)
            }
            guard h.previousHash == previousHash else {
                throw LogError(.damaged, "segment header's previous hash does not match the previous segment", file: name, position: 32)
            }
            guard h.previousRoot == previousRoot else {
                throw LogError(.damaged, "segment header's previous Merkle root does not match the previous segment", file: name, position: 64)
            }
            let footer = try scanner.trailingFooter()
            if i < bases.count - 1 {
                guard let footer else {
                    throw LogError(.damaged, "the footer is missing or damaged but a later segment exists", file: name,
                                   position: scanner.size >= UInt64(SegmentFooter.size) ? scanner.size - UInt64(SegmentFooter.size) : 0)
                }
                previousHash = footer.lastHash
                previousRoot = footer.root
                expectedBase = footer.nextOffset
                lastTime = max(lastTime, footer.lastTime)
            } else if let footer {
                // The last segment is sealed: start the next one.
                previousHash = footer.lastHash
                previousRoot = footer.root
                expectedBase = footer.nextOffset
                lastTime = max(lastTime, footer.lastTime)
                bases.append(footer.nextOffset)
                try createSegment(base: footer.nextOffset, previousHash: previousHash, previousRoot: previousRoot)
                break
            }
        }
        if bases.isEmpty {
            try createSegment(base: 0, previousHash: .zero, previousRoot: .zero)
            bases = [0]
        }
        return try recoverActive(base: bases.last!, previousHash: previousHash, previousRoot: previousRoot, lastTime: lastTime)
    }

    private func createSegment(base: UInt64, previousHash: Digest32, previousRoot: Digest32) throws(LogError) {
        let header = SegmentHeader(baseOffset: base, createdAt: clock.now(), previousHash: previousHash, previousRoot: previousRoot)
        _ = try LogFile.createAtomically(directory: directory, name: SegmentName.file(base, "seg"), contents: header.encoded())
    }

    private func recoverActive(base: UInt64, previousHash: Digest32, previousRoot: Digest32, lastTime: Int64) throws(LogError) -> State {
        var scanner = try SegmentScanner(path: path(base))
        if scanner.size < UInt64(SegmentHeader.size) {
            throw LogError(.damaged, "segment header is truncated", file: scanner.file.name, position: 0)
        }
        let index = SparseIndex.load(directory: directory, base: base)
        // Keep the index entries up to the first one that does not point at its batch (a header read
        // each), and the last one only if its whole batch checks out.
        var kept: [SparseIndex.Entry] = []
        for e in index.entries {
            let raw = try scanner.file.read(BatchHeader.size, at: UInt64(e.position))
            guard let h = try? raw.withBytes({ (b) throws(FormatError) in try BatchHeader(decoding: b) }),
                  h.baseOffset == base + UInt64(e.relativeOffset), h.firstTime == e.time else { break }
            kept.append(e)
        }
        while let last = kept.last {
            if case .batch(let h, _) = try scanner.step(at: UInt64(last.position)),
               h.baseOffset == base + UInt64(last.relativeOffset), h.firstTime == last.time {
                break
            }
            kept.removeLast()
        }
        // Walk from the entry before the last good one, so the last batch's predecessor head is known.
        var startPosition = UInt64(SegmentHeader.size)
        var startOffset = base
        if kept.count >= 2 {
            let e = kept[kept.count - 2]
            if case .batch(let h, _) = try scanner.step(at: UInt64(e.position)) {
                startPosition = UInt64(e.position)
                startOffset = h.baseOffset
            }
        }
        // Walk forward.
        var position = startPosition
        var nextOffset = startOffset
        var lastHeader: BatchHeader?
        var headBeforeLast = previousHash
        var headAfter = startPosition == UInt64(SegmentHeader.size) ? previousHash : Digest32.zero
        var segmentFirstTime: Int64?
        var unindexed: [(BatchHeader, UInt64)] = []
        var torn: (position: UInt64, reason: String)?
        var maxTime = lastTime
        let lastKeptPosition = kept.last.map { UInt64($0.position) } ?? 0
        scan: while true {
            switch try scanner.step(at: position) {
            case .batch(let h, let p):
                guard h.baseOffset == nextOffset else {
                    throw LogError(.damaged, "batch base offset \(h.baseOffset) breaks the sequence (expected \(nextOffset))", file: scanner.file.name, position: p + 16)
                }
                guard h.firstTime >= maxTime || (lastHeader == nil && startPosition != UInt64(SegmentHeader.size)) else {
                    throw LogError(.damaged, "batch timestamps go backwards", file: scanner.file.name, position: p + 24)
                }
                if p == UInt64(SegmentHeader.size) { segmentFirstTime = h.firstTime }
                headBeforeLast = headAfter
                headAfter = h.chainHead
                lastHeader = h
                maxTime = max(maxTime, h.lastTime)
                nextOffset = h.nextOffset
                if p > lastKeptPosition { unindexed.append((h, p)) }
                position = p + UInt64(h.length)
            case .footer(_, let p):
                throw LogError(.damaged, "unexpected footer in the active segment", file: scanner.file.name, position: p)
            case .end:
                break scan
            case .torn(let p, let reason):
                torn = (p, reason)
                break scan
            case .damage(let e):
                throw e
            }
        }
        let head = HeadRecord.read(directory: directory)
        switch TailDecision.decide(tornAt: torn, wholeEnd: position, nextOffset: nextOffset, headNextOffset: head?.nextOffset) {
        case .clean:
            break
        case .cut(let p, let reason):
            let cut = scanner.size - p
            let f = try LogFile(path: path(base), mode: .readWrite)
            try f.truncate(to: p)
            try f.sync()
            logger.warning("cut a torn tail", metadata: ["segment": "\(f.name)", "position": "\(p)", "bytes": "\(cut)", "reason": "\(reason)"])
            scanner = try SegmentScanner(path: path(base))
        case .refuse(let reason, let p):
            throw LogError(.damaged, reason, file: scanner.file.name, position: p)
        }
        // Check the last batch's chain from its predecessor's head.
        if let h = lastHeader, headBeforeLast != .zero || h.baseOffset == 0 || h.baseOffset == base {
            let prev = h.baseOffset == base ? previousHash : headBeforeLast
            guard case .batch = try scanner.step(at: position - UInt64(h.length)) else {
                throw LogError(.damaged, "last batch cannot be re-read", file: scanner.file.name, position: position - UInt64(h.length))
            }
            var scratch: [UInt8] = []
            _ = try BatchEvents.decode(scanner.batchBytes, header: h, previous: prev, file: scanner.file.name,
                                       position: position - UInt64(h.length), scratch: &scratch)
        }
        if segmentFirstTime == nil && position > UInt64(SegmentHeader.size) {
            if case .batch(let h, _) = try scanner.step(at: UInt64(SegmentHeader.size)) { segmentFirstTime = h.firstTime }
        }
        let file = try LogFile(path: path(base), mode: .readWrite)
        return State(segment: file, segmentBase: base, position: position, segmentFirstTime: segmentFirstTime,
                     segmentLastTime: lastHeader?.lastTime ?? 0, eventCountInSegment: nextOffset - base,
                     previousRoot: previousRoot, nextOffset: nextOffset,
                     chainHead: lastHeader?.chainHead ?? previousHash, lastTime: maxTime,
                     sparseEntries: kept, unindexedBatches: unindexed)
    }
}
