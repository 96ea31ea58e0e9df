public import Logging
import Dispatch
import Synchronization

/// The single writer of a log directory: appends batches durably, rolls and seals segments,
/// maintains the indexes and HEAD, and recovers the tail on open (log-format/SPEC.md §9–10).
public final class LogWriter: @unchecked Sendable {
    public let directory: String
    public let configuration: LogConfiguration
    private let clock: LogClock
    private let logger: Logger
    private let mutex = Mutex<Void>(())
    private let commitQueue = Mutex(GroupCommitQueue<PendingAppend>())
    private let lock: WriterLock
    private let headFile: LogFile

    private var segment: LogFile
    private var segmentBase: UInt64
    private var segmentPosition: UInt64
    private var segmentFirstTime: Int64?
    private var segmentLastTime: Int64 = 0
    private var segmentPreviousRoot: Digest32
    private let merkle: MerkleWorker
    private var sparse: SparseIndexWriter
    private var keys: KeyIndexWriter
    /// Encoders used in turn by the batches of one append; `encoderFree[k]` is signalled once encoder
    /// k's batch is hashed and compressed (not yet written), so its record bytes can be reused.
    private let encoders: [BatchEncoder]
    private let encoderFree: [DispatchSemaphore]
    /// Compresses the batches of an append that spans several, beside `hashing`.
    private let compression = DispatchQueue(label: "ledger.writer.compression")
    /// Chains the batches of an append that spans several, in order, while the caller encodes the next.
    private let hashing = DispatchQueue(label: "ledger.writer.hashing")
    /// Writes and fsyncs the chained batches in order. Only this queue touches the segment state
    /// while a pipelined append runs.
    private let io = DispatchQueue(label: "ledger.writer.io")
    private var nextOffset: UInt64
    private var chainHead: Digest32
    private var lastTime: Int64
    private var failure: LogError?
    private var closed = false

    /// The committed head: the next offset and the hash of the last event.
    public var head: HeadRecord {
        mutex.withLock { _ in HeadRecord(nextOffset: nextOffset, chainHead: chainHead) }
    }

    /// Opens (creating if needed) the log in `directory` for writing and recovers its tail.
    public init(directory: String, configuration: LogConfiguration = .init(), clock: LogClock = .system, logger: Logger) throws(LogError) {
        guard configuration.segmentMaxBytes < UInt64(UInt32.max) else {
            throw LogError(.invalidArgument, "segment size limit must be below 4 GiB")
        }
        self.directory = directory
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        try LogDirectory.create(directory)
        lock = try WriterLock(directory: directory)
        headFile = try LogFile(path: directory + "/" + SegmentName.head, mode: .create)
        encoders = (0..<4).map { _ in BatchEncoder(compressionLevel: configuration.compressionLevel, codec: configuration.codec) }
        encoderFree = encoders.map { _ in DispatchSemaphore(value: 1) }

        let state = try LogRecovery(directory: directory, clock: clock, logger: logger).recover()
        segment = state.segment
        segmentBase = state.segmentBase
        segmentPosition = state.position
        segmentFirstTime = state.segmentFirstTime
        segmentLastTime = state.segmentLastTime
        segmentPreviousRoot = state.previousRoot
        merkle = MerkleWorker(known: state.eventCountInSegment == 0)
        nextOffset = state.nextOffset
        chainHead = state.chainHead
        lastTime = state.lastTime
        sparse = try SparseIndexWriter(directory: directory, base: state.segmentBase, keep: state.sparseEntries,
                                       interval: configuration.indexIntervalBytes)
        for (h, p) in state.unindexedBatches { try sparse.noteBatch(h, position: p) }
        let dir = directory
        let base = state.segmentBase
        let next = state.nextOffset
        keys = try KeyIndexWriter(directory: directory, base: base, nextOffset: next, runSize: configuration.keyRunSize) { (from) throws(LogError) in
            try LogReader(directory: dir).keyEntries(segmentBase: base, from: from, to: next)
        }
        for sealedBase in try LogDirectory.segmentBases(directory) where sealedBase < state.segmentBase {
            try IndexRebuild.rebuildIfMissing(directory: directory, base: sealedBase, configuration: configuration, logger: logger)
        }
        try writeHead()
        logger.debug("log opened", metadata: ["directory": "\(directory)", "next_offset": "\(nextOffset)"])
    }

    /// One caller's events waiting in a group commit.
    private final class PendingAppend: @unchecked Sendable {
        let events: [NewEvent]
        let beforeWrite: (@Sendable () throws(LogError) -> Void)?
        let done = DispatchSemaphore(value: 0)
        var result: Result<AppendReceipt, LogError>?
        init(_ events: [NewEvent], beforeWrite: (@Sendable () throws(LogError) -> Void)?) {
            self.events = events
            self.beforeWrite = beforeWrite
        }
    }

    /// Appends `events` durably (per the configured policy) and returns their offsets.
    ///
    /// Concurrent callers are grouped: one of them commits everyone's events together (group
    /// commit), so many small appends share batches and fsyncs. Events of one call get consecutive
    /// offsets. Calls larger than `maxBatchEvents` are split into several batches.
    ///
    /// Two pieces of the caller's work may run alongside the append:
    /// - `beforeWrite` runs on a writer thread before any byte of the group is written, while the
    ///   events are encoded and hashed; when it throws, nothing is written and the append fails
    ///   with its error (for example: making something durable that must precede the events).
    /// - `meanwhile` runs on the calling thread while the events are written and made durable;
    ///   the receipt is returned after both.
    @discardableResult
    public func append(
        _ events: [NewEvent], beforeWrite: (@Sendable () throws(LogError) -> Void)? = nil, meanwhile: (() -> Void)? = nil
    ) throws(LogError) -> AppendReceipt {
        let request = PendingAppend(events, beforeWrite: beforeWrite)
        if commitQueue.withLock({ $0.enqueue(request) }) == .lead {
            // The first group holds this request (it was queued before leading began).
            var own = meanwhile
            while let group = commitQueue.withLock({ $0.next() }) {
                mutex.withLock { _ in commitGroup(group, meanwhile: own) }
                own = nil
                for r in group where r !== request { r.done.signal() }
            }
        } else {
            meanwhile?()
            request.done.wait()
        }
        return try request.result!.get()
    }

    private func commitGroup(_ group: [PendingAppend], meanwhile: (() -> Void)?) {
        let all = group.count == 1 ? group[0].events : group.flatMap(\.events)
        var lastOffsets = Set<UInt64>()
        var offset = nextOffset
        for r in group where !r.events.isEmpty {
            offset += UInt64(r.events.count)
            lastOffsets.insert(offset - 1)
        }
        let befores = group.compactMap(\.beforeWrite)
        let beforeWrite: (@Sendable () throws(LogError) -> Void)? = befores.isEmpty ? nil : { @Sendable () throws(LogError) in
            for b in befores { try b() }
        }
        do {
            let (receipt, hashes) = try appendLocked(all, hashesAt: lastOffsets, beforeWrite: beforeWrite, meanwhile: meanwhile)
            var first = receipt.firstOffset
            for r in group {
                let last = first + UInt64(r.events.count)
                let head = r.events.isEmpty ? chainHead : hashes[last - 1]!
                r.result = .success(AppendReceipt(firstOffset: first, count: r.events.count, chainHead: head, time: receipt.time))
                first = last
            }
        } catch {
            for r in group { r.result = .failure(error) }
        }
    }

    private func appendLocked(
        _ events: [NewEvent], hashesAt wanted: Set<UInt64>,
        beforeWrite: (@Sendable () throws(LogError) -> Void)?, meanwhile: (() -> Void)?
    ) throws(LogError) -> (AppendReceipt, [UInt64: Digest32]) {
        var meanwhile = meanwhile
        // Whatever path is taken, the caller's work runs before the append returns.
        defer { meanwhile?() }
        if closed { throw LogError(.writerFailed, "the writer is closed") }
        if let failure { throw LogError(.writerFailed, "an earlier write failed (\(failure)); reopen the log") }
        guard !events.isEmpty else {
            try beforeWrite?()
            return (AppendReceipt(firstOffset: nextOffset, count: 0, chainHead: chainHead, time: Timestamp(microseconds: lastTime)), [:])
        }
        let now = max(clock.now(), lastTime)
        let first = nextOffset
        var batches: [Range<Int>] = []
        var start = events.startIndex
        while start < events.endIndex {
            var end = min(start + configuration.maxBatchEvents, events.endIndex)
            // keep decoded batches under maxBatchBytes (estimate from the first event's size)
            if end - start > 1 {
                let estimate = max(64, approximateSize(events[start]))
                let byBytes = max(1, configuration.maxBatchBytes / estimate)
                end = min(end, start + byBytes)
            }
            batches.append(start..<end)
            start = end
        }
        let times = [Int64](repeating: now, count: min(events.count, configuration.maxBatchEvents))
        let hashes: [UInt64: Digest32]
        if batches.count == 1 {
            let (encoder, base, head) = (encoders[0], nextOffset, chainHead)
            let out = try encoding { () throws(FormatError) in
                try encoder.encode(events[...], times: times[0..<events.count], baseOffset: base, previous: head)
            }
            try beforeWrite?()
            let eventHashes = try writeBatch(out)
            var found: [UInt64: Digest32] = [:]
            for o in wanted { found[o] = eventHashes[Int(o - first)] }
            hashes = found
        } else {
            hashes = try writePipelined(events, batches: batches, times: times, wanted: wanted, beforeWrite: beforeWrite) {
                meanwhile?()
                meanwhile = nil
            }
        }
        lastTime = now
        return (AppendReceipt(firstOffset: first, count: events.count, chainHead: chainHead, time: Timestamp(microseconds: now)), hashes)
    }

    /// Runs a step of the batch encoder, reporting its failure as the writer's.
    private func encoding<T>(_ step: () throws(FormatError) -> T) throws(LogError) -> T {
        do {
            return try step()
        } catch {
            throw LogError(.invalidArgument, "cannot encode batch: \(error.reason)")
        }
    }

    /// The outcome of a pipelined append, filled in by its stages and read once they are drained.
    private final class PipelineOutcome: Sendable {
        struct State {
            var hashes: [UInt64: Digest32] = [:]
            var error: LogError?
            /// The chain head after the last batch hashed so far (ahead of the committed head).
            var chain: Digest32
        }
        let state: Mutex<State>
        init(chain: Digest32) { state = Mutex(State(chain: chain)) }
        var failed: Bool { state.withLock { $0.error != nil } }
        func fail(_ error: LogError) { state.withLock { $0.error = $0.error ?? error } }
    }

    /// One batch of a pipelined append between its stages.
    private final class PipelinedBatch: @unchecked Sendable {
        let records: BatchEncoder.Records
        /// Set by the `compression` queue before it signals `compressed`.
        var area: Result<[UInt8], LogError>?
        let compressed = DispatchSemaphore(value: 0)
        /// Set by the `hashing` queue (nil when an earlier batch failed).
        var hashes: [Digest32]?
        init(_ records: BatchEncoder.Records) { self.records = records }
    }

    /// Writes several batches in four stages on two cores: the caller encodes batch n+1 while the
    /// `compression` and `hashing` queues compress and chain batch n side by side, and the `io`
    /// queue writes and fsyncs the batches before; `beforeWrite` runs first on the `io` queue, and
    /// `meanwhile` on the caller once every batch is encoded. Returns once every batch is durable,
    /// or throws the first failure (the batches after it are not written).
    private func writePipelined(
        _ events: [NewEvent], batches: [Range<Int>], times: [Int64], wanted: Set<UInt64>,
        beforeWrite: (@Sendable () throws(LogError) -> Void)?, meanwhile: () -> Void
    ) throws(LogError) -> [UInt64: Digest32] {
        let outcome = PipelineOutcome(chain: chainHead)
        if let beforeWrite {
            io.async {
                do throws(LogError) { try beforeWrite() } catch { outcome.fail(error) }
            }
        }
        var base = nextOffset
        for (k, range) in batches.enumerated() {
            let e = k % encoders.count
            encoderFree[e].wait()
            if outcome.failed { encoderFree[e].signal(); break }
            let batch = PipelinedBatch(encoders[e].encodeRecords(events[range], times: times[0..<range.count], baseOffset: base))
            base = batch.records.nextOffset
            compression.async { [self] in
                batch.area = Result { () throws(LogError) in
                    try encoding { () throws(FormatError) in try encoders[e].compress(batch.records) }
                }
                batch.compressed.signal()
            }
            hashing.async { [self] in
                if let previous = outcome.state.withLock({ $0.error == nil ? $0.chain : nil }) {
                    let hashes = encoders[e].chain(batch.records, previous: previous)
                    outcome.state.withLock { $0.chain = hashes.last! }
                    batch.hashes = hashes
                }
                // Once compressed too, the encoder's record bytes are no longer needed: the caller
                // may encode into it while this batch waits for the batches before it to be written.
                batch.compressed.wait()
                encoderFree[e].signal()
                io.async { [self] in
                    guard !outcome.failed, let hashes = batch.hashes, let area = batch.area else { return }
                    do throws(LogError) {
                        let area = try area.get()
                        let out = try encoding { () throws(FormatError) in try encoders[e].frame(batch.records, area: area, hashes: hashes) }
                        let eventHashes = try writeBatch(out)
                        outcome.state.withLock { state in
                            for o in wanted where o >= out.header.baseOffset && o < out.header.nextOffset {
                                state.hashes[o] = eventHashes[Int(o - out.header.baseOffset)]
                            }
                        }
                    } catch {
                        outcome.fail(error)
                    }
                }
            }
        }
        meanwhile()
        hashing.sync {}
        io.sync {}
        return try outcome.state.withLock { (state) throws(LogError) in
            if let error = state.error { throw error }
            return state.hashes
        }
    }

    private func approximateSize(_ e: NewEvent) -> Int {
        var n = 16 + e.source.utf8.count + e.entity.utf8.count
        if let encoded = e.encodedFields { return n + encoded.count }
        for f in e.storedFields {
            n += f.name.utf8.count + 2
            switch f.value {
            case .string(let s), .json(let s): n += s.utf8.count
            case .decimal(let d): n += d.text.utf8.count
            case .bytes(let b), .sealed(_, let b): n += b.count
            default: n += 9
            }
        }
        return n
    }

    /// Writes the batch `out` (chained to the committed head), fsyncs it per the durability policy and
    /// updates the indexes and HEAD. Returns the batch's event hashes.
    private func writeBatch(_ out: BatchEncoder.Output) throws(LogError) -> [Digest32] {
        precondition(out.header.baseOffset == nextOffset, "batches are written in order")
        if segmentFirstTime != nil {
            let tooBig = segmentPosition + UInt64(out.bytes.count) + UInt64(SegmentFooter.size) > configuration.segmentMaxBytes
                || out.header.nextOffset - segmentBase > KeyIndex.maxEventsPerSegment
            let tooOld = configuration.segmentMaxAgeSeconds.map { out.header.firstTime - segmentFirstTime! >= $0 * 1_000_000 } ?? false
            if tooBig || tooOld { try roll() }
        }
        let position = segmentPosition
        do {
            try segment.write(out.bytes, at: position)
            if configuration.durability == .fsyncPerBatch { try segment.syncData() }
        } catch {
            try? segment.truncate(to: position)
            failure = error
            throw error
        }
        segmentPosition += UInt64(out.bytes.count)
        if segmentFirstTime == nil { segmentFirstTime = out.header.firstTime }
        segmentLastTime = out.header.lastTime
        nextOffset = out.header.nextOffset
        chainHead = out.header.chainHead
        merkle.add(out.eventHashes)
        do {
            try sparse.noteBatch(out.header, position: position)
            try keys.add(out.keyEntries)
            try writeHead()
        } catch {
            // The batch is durable; only derived files failed. The next open rebuilds them.
            logger.warning("index update failed; it will be rebuilt on the next open", metadata: ["error": "\(error)"])
        }
        return out.eventHashes
    }

    private func writeHead() throws(LogError) {
        try headFile.write(HeadRecord(nextOffset: nextOffset, chainHead: chainHead).encoded(), at: 0)
    }

    /// Seals the active segment and starts the next one.
    private func roll() throws(LogError) {
        let acc: MerkleAccumulator
        if let known = merkle.drain() { acc = known } else { acc = try LogReader(directory: directory).merkle(segmentBase: segmentBase, limit: nextOffset) }
        let root = MerkleTree.chainedRoot(previous: segmentPreviousRoot, treeRoot: acc.root)
        let footer = SegmentFooter(baseOffset: segmentBase, eventCount: nextOffset - segmentBase,
                                   firstTime: segmentFirstTime ?? 0, lastTime: segmentLastTime,
                                   lastHash: chainHead, root: root, position: segmentPosition)
        do {
            try segment.write(footer.encoded(), at: segmentPosition)
            try segment.sync()
            try keys.seal()
        } catch {
            failure = error
            throw error
        }
        let base = nextOffset
        let header = SegmentHeader(baseOffset: base, createdAt: clock.now(), previousHash: chainHead, previousRoot: root)
        do {
            segment = try LogFile.createAtomically(directory: directory, name: SegmentName.file(base, "seg"), contents: header.encoded())
            sparse = try SparseIndexWriter(directory: directory, base: base, keep: [], interval: configuration.indexIntervalBytes)
            keys = try KeyIndexWriter(directory: directory, base: base, nextOffset: base, runSize: configuration.keyRunSize) { (_) throws(LogError) in [] }
        } catch {
            failure = error
            throw error
        }
        logger.info("segment sealed", metadata: ["segment": "\(SegmentName.file(segmentBase, "seg"))", "events": "\(footer.eventCount)"])
        segmentBase = base
        segmentPosition = UInt64(SegmentHeader.size)
        segmentFirstTime = nil
        segmentPreviousRoot = root
        merkle.reset(known: true)
    }

    /// Rewrites the index files of every sealed segment from its events (`ledger reindex`).
    public func rebuildSealedIndexes() throws(LogError) {
        try mutex.withLock { (_) throws(LogError) in
            for base in try LogDirectory.segmentBases(directory) where base < segmentBase {
                try IndexRebuild.rebuild(directory: directory, base: base, configuration: configuration, logger: logger)
            }
        }
    }

    /// Seals the active segment now if it holds events (for tests and `ledger` maintenance).
    public func sealActiveSegment() throws(LogError) {
        try mutex.withLock { (_) throws(LogError) in
            if segmentFirstTime != nil { try roll() }
        }
    }

    /// Flushes what is pending and releases the lock. Further appends fail.
    public func close() {
        mutex.withLock { _ in
            guard !closed else { return }
            closed = true
            try? segment.sync()
            lock.release()
        }
    }

    deinit {
        if !closed { lock.release() }
    }
}
