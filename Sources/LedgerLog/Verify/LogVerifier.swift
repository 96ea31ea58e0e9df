/// Re-checks a whole log: every CRC, offset and timestamp, the hash chain against every stored head
/// (batch headers, segment headers and footers, HEAD), the chained Merkle roots as stored (footer to
/// next segment header), and the index files (log-format/SPEC.md §10). Batches are checked on all cores.
public struct LogVerifier: Sendable {
    public let directory: String
    /// Also recompute every sealed segment's Merkle root, decode every record and check every key
    /// index entry against the events.
    public var deep: Bool

    public init(directory: String, deep: Bool = false) {
        self.directory = directory
        self.deep = deep
    }

    /// Verifies the log; `progress` is called with the bytes checked so far.
    public func verify(progress: ((UInt64, UInt64) -> Void)? = nil) throws(LogError) -> VerifyReport {
        var report = VerifyReport()
        let bases = try LogDirectory.segmentBases(directory)
        guard !bases.isEmpty else { throw LogError(.notFound, "no segments in \(directory)") }
        let total = bases.reduce(UInt64(0)) { $0 + (LogDirectory.fileSize(directory + "/" + SegmentName.file($1, "seg")) ?? 0) }
        let headRecord = HeadRecord.read(directory: directory)
        let checker = try BatchChainCheck()
        var previousHash = Digest32.zero
        var previousRoot = Digest32.zero
        var expected: UInt64 = 0
        var lastTime = Int64.min
        var done: UInt64 = 0
        segments: for (si, base) in bases.enumerated() {
            let isLast = si == bases.count - 1
            let scanner: SegmentScanner
            do {
                guard let s = try SegmentScanner.openIfComplete(path: directory + "/" + SegmentName.file(base, "seg")) else {
                    if isLast && base == expected { break }   // being created: holds no event yet
                    report.problem = LogError(.damaged, "segment header is truncated", file: SegmentName.file(base, "seg"), position: 0)
                    break
                }
                scanner = s
            } catch {
                report.problem = error
                break
            }
            let name = scanner.file.name
            report.segments += 1
            report.bytesOnDisk += scanner.size
            func fail(_ reason: String, _ position: UInt64) { report.problem = LogError(.damaged, reason, file: name, position: position) }
            let h = scanner.header
            guard h.baseOffset == base, base == expected else { fail("segment base offset \(h.baseOffset) does not continue the log at \(expected)", 16); break }
            guard h.previousHash == previousHash else { fail("segment header's previous hash does not match the chain", 32); break }
            guard h.previousRoot == previousRoot else { fail("segment header's previous Merkle root does not match", 64); break }
            // Only a sealed segment has a Merkle root, and it is recomputed only in deep mode; otherwise
            // the footer's last hash is checked against the chain and its root only as stored (the CRC,
            // and the next segment header's copy of it).
            let sealedSegment = isLast ? try scanner.trailingFooter() != nil : true
            let merkle = deep && sealedSegment ? MerkleWorker(known: true) : nil   // folds event hashes on the other core
            do {
                try scanner.mapForReading()
            } catch {
                report.problem = error
                break
            }
            scanner.checksBatchCRC = false   // the chain check does it on all cores
            let bytes = scanner.mapped!
            var position = UInt64(SegmentHeader.size)
            var batchPositions: [(UInt64, BatchHeader)] = []
            var sealed = false
            var pending: [BatchChainCheck.Pending] = []
            /// Checks the pending batches' CRCs and chains (on all cores), in order; false when one fails.
            func flush() -> Bool {
                defer { pending.removeAll(keepingCapacity: true) }
                guard let first = pending.first else { return true }
                var hashes: [Digest32] = []
                let outcomes: [BatchChainCheck.Outcome]
                if merkle != nil {
                    hashes = [Digest32](repeating: .zero, count: Int(pending.last!.header.nextOffset - first.header.baseOffset))
                    outcomes = hashes.withUnsafeMutableBufferPointer {
                        checker.run(pending, segment: bytes, deep: deep, hashes: $0, hashBase: first.header.baseOffset)
                    }
                } else {
                    outcomes = checker.run(pending, segment: bytes, deep: deep)
                }
                for (b, outcome) in zip(pending, outcomes) {
                    switch outcome {
                    case .ok:
                        report.batches += 1
                        report.events += UInt64(b.header.count)
                        report.decodedBytes += UInt64(b.header.decodedLength)
                        done += UInt64(b.header.length)
                        progress?(done, total)
                    case .failed(let reason, let at):
                        fail(reason, at)
                        return false
                    }
                }
                merkle?.add(hashes)
                return true
            }
            /// A batch whose header breaks the sequence: reported after the batches before it check out,
            /// as a CRC mismatch when its CRC (not yet checked) fails.
            func reject(_ b: BatchHeader, at p: UInt64, _ reason: String, _ position: UInt64) {
                guard flush() else { return }
                let crcOK = b.checkCRC(UnsafeRawBufferPointer(rebasing: bytes[Int(p)..<(Int(p) + Int(b.length))]))
                if crcOK { fail(reason, position) } else { fail("batch CRC mismatch", p) }
            }
            walk: while true {
                let step: ScanStep
                do {
                    step = try scanner.step(at: position)
                } catch {
                    if flush() { report.problem = error }
                    break segments
                }
                if case .batch = step {} else { guard flush() else { break segments } }
                switch step {
                case .batch(let b, let p):
                    guard b.baseOffset == expected else { reject(b, at: p, "batch base offset \(b.baseOffset) breaks the sequence (expected \(expected))", p + 16); break segments }
                    guard b.firstTime >= lastTime else { reject(b, at: p, "batch timestamps go backwards", p + 24); break segments }
                    pending.append(.init(header: b, position: p, previous: previousHash))
                    previousHash = b.chainHead
                    expected = b.nextOffset
                    lastTime = b.lastTime
                    batchPositions.append((p, b))
                    position = p + UInt64(b.length)
                    if pending.count >= 256 { guard flush() else { break segments } }
                case .footer(let f, let p):
                    guard f.baseOffset == base, f.nextOffset == expected else { fail("footer's event count disagrees with the segment", p + 16); break segments }
                    guard f.lastHash == previousHash else { fail("footer's last hash disagrees with the chain", p + 40); break segments }
                    guard sealedSegment else { fail("footer found where none was expected", p); break segments }
                    if let merkle {
                        let root = MerkleTree.chainedRoot(previous: previousRoot, treeRoot: merkle.drain()!.root)
                        guard f.root == root else { fail("footer's Merkle root does not match the segment's events", p + 72); break segments }
                    }
                    previousRoot = f.root
                    sealed = true
                    report.sealedSegments += 1
                    break walk
                case .end(let p):
                    if !isLast { fail("segment is not sealed but a later segment exists", p); break segments }
                    break walk
                case .torn(let p, let reason):
                    if !isLast { fail("\(reason) in a sealed segment", p); break segments }
                    report.tornTail = LogError(.damaged, "torn tail: \(reason) (\(scanner.size - p) bytes, never acknowledged; the next writer cuts them)", file: name, position: p)
                    break walk
                case .damage(let e):
                    report.problem = e
                    break segments
                }
            }
            if !sealed && !isLast { fail("segment is not sealed but a later segment exists", scanner.size); break }
            checkSparseIndex(base: base, batches: batchPositions, into: &report)
            checkKeyIndex(base: base, next: expected, sealed: sealed, into: &report)
        }
        report.head = HeadRecord(nextOffset: expected, chainHead: previousHash)
        if headRecord == nil, let size = LogDirectory.fileSize(directory + "/" + SegmentName.head) {
            report.indexProblems.append(LogError(.damaged, "HEAD is torn or damaged (\(size) bytes; the next writer rewrites it)",
                                                 file: SegmentName.head, position: 0))
        }
        if report.problem == nil, let headRecord {
            if headRecord.nextOffset > expected {
                report.problem = LogError(.damaged, "HEAD records offsets up to \(headRecord.nextOffset - 1) as committed but the log ends at offset \(expected)", file: SegmentName.head, position: 0)
            } else if headRecord.nextOffset == expected && headRecord.chainHead != previousHash {
                report.problem = LogError(.damaged, "HEAD's chain head disagrees with the log", file: SegmentName.head, position: 8)
            }
        }
        return report
    }

    private func checkSparseIndex(base: UInt64, batches: [(UInt64, BatchHeader)], into report: inout VerifyReport) {
        let byPosition = Dictionary(batches.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        let byOffset = Dictionary(batches.map { ($0.1.baseOffset, $0.1) }, uniquingKeysWith: { a, _ in a })
        for (ext, magic, entrySize) in [("oix", SparseIndex.offsetMagic, 8), ("tix", SparseIndex.timeMagic, 12)] {
            let name = SegmentName.file(base, ext)
            guard let f = try? LogFile(path: directory + "/" + name, mode: .readOnly), let size = try? f.size(),
                  let bytes = try? f.read(Int(size), at: 0) else { continue }
            func problem(_ reason: String, _ position: Int) {
                report.indexProblems.append(LogError(.damaged, reason, file: name, position: UInt64(position)))
            }
            guard bytes.count >= 16, Array(bytes[0..<16]) == IndexFileHeader.encode(magic, base) else {
                problem("index header is wrong", 0)
                continue
            }
            if (bytes.count - 16) % entrySize != 0 { problem("index file ends inside an entry", bytes.count) }
            var lastRelative: Int64 = -1
            var lastPosition: Int64 = -1
            bytes.withUnsafeBytes { raw in
                for i in 0..<((bytes.count - 16) / entrySize) {
                    let at = 16 + i * entrySize
                    let ok: Bool
                    if ext == "oix" {
                        let rel = raw.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian
                        let pos = raw.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self).littleEndian
                        ok = byPosition[UInt64(pos)].map { $0.baseOffset == base + UInt64(rel) } ?? false
                            && Int64(rel) > lastRelative && Int64(pos) > lastPosition && (i > 0 || pos == UInt32(SegmentHeader.size))
                        lastRelative = Int64(rel)
                        lastPosition = Int64(pos)
                    } else {
                        let time = raw.loadUnaligned(fromByteOffset: at, as: Int64.self).littleEndian
                        let rel = raw.loadUnaligned(fromByteOffset: at + 8, as: UInt32.self).littleEndian
                        ok = byOffset[base + UInt64(rel)].map { $0.firstTime == time } ?? false
                            && Int64(rel) > lastRelative && (i > 0 || rel == 0)
                        lastRelative = Int64(rel)
                    }
                    if !ok {
                        problem("index entry \(i) does not point at its batch", at)
                        return
                    }
                }
            }
        }
    }

    private func checkKeyIndex(base: UInt64, next: UInt64, sealed: Bool, into report: inout VerifyReport) {
        let name = SegmentName.file(base, "kix")
        func problem(_ file: String, _ reason: String, _ position: UInt64) {
            report.indexProblems.append(LogError(.damaged, reason, file: file, position: position))
        }
        guard let f = try? LogFile(path: directory + "/" + name, mode: .readOnly), let size = try? f.size() else { return }
        guard size >= 16, (try? f.read(16, at: 0)) == IndexFileHeader.encode(KeyIndex.kixMagic, base) else {
            problem(name, "key index header is wrong", 0)
            return
        }
        guard let runs = try? KeyIndex.runs(f, base: base, checkCRC: true) else { return }
        let end = runs.last?.endPosition ?? 16
        if end != size {
            problem(name, "key index run is damaged (bad header, coverage or CRC)", end)
            return
        }
        let journalFrom = runs.last?.nextOffset ?? base
        if journalFrom > next {
            problem(name, "key index covers offsets past the segment", runs.last?.position ?? 16)
            return
        }
        if sealed && journalFrom != next {
            problem(name, "a sealed segment's key index does not cover all its events", end)
            return
        }
        guard deep || !sealed else { return }
        // Check the journal (and in deep mode every run) against the events.
        guard let reader = try? LogReader(directory: directory),
              let truth = try? reader.keyEntries(segmentBase: base, from: deep ? base : journalFrom, to: next) else { return }
        var byOffset: [UInt64: KeyIndex.Stored] = [:]
        for t in truth { byOffset[t.offset] = KeyIndex.Stored(prefix: t.prefix, relativeOffset: UInt32(t.offset - base)) }
        if deep {
            for run in runs {
                guard let bytes = try? f.read(run.count * KeyIndex.entrySize, at: run.entriesPosition) else { continue }
                let bad: Int? = bytes.withUnsafeBytes { raw in
                    (0..<run.count).first { i in
                        let e = KeyIndex.decode(raw, at: i * KeyIndex.entrySize)
                        return byOffset[base + UInt64(e.relativeOffset)] != e
                    }
                }
                if let bad {
                    problem(name, "key index entry does not match its event", run.entriesPosition + UInt64(bad * KeyIndex.entrySize))
                    return
                }
            }
        }
        let jname = SegmentName.file(base, "kjl")
        guard !sealed, let j = try? LogFile(path: directory + "/" + jname, mode: .readOnly), let jsize = try? j.size(),
              let bytes = try? j.read(Int(jsize), at: 0) else { return }
        guard bytes.count >= 16, Array(bytes[0..<16]) == IndexFileHeader.encode(KeyIndex.kjlMagic, journalFrom) else {
            problem(jname, "key journal header is wrong", 0)
            return
        }
        if (bytes.count - 16) % KeyIndex.entrySize != 0 {
            problem(jname, "key journal ends inside an entry", UInt64(bytes.count))
        }
        let n = (bytes.count - 16) / KeyIndex.entrySize
        bytes.withUnsafeBytes { raw in
            for i in 0..<n {
                let e = KeyIndex.decode(raw, at: 16 + i * KeyIndex.entrySize)
                let offset = journalFrom + UInt64(i)
                if offset >= next || base + UInt64(e.relativeOffset) != offset || byOffset[offset] != e {
                    problem(jname, "key journal entry \(i) does not match its event", UInt64(16 + i * KeyIndex.entrySize))
                    return
                }
            }
        }
    }
}
