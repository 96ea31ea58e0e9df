/// Builds batches from events and walks the records of decoded batches (log-format/SPEC.md §2.2, §3).
public final class BatchEncoder {
    public struct Output: Sendable {
        /// The whole batch, header included.
        public var bytes: [UInt8]
        public var header: BatchHeader
        public var keyEntries: [KeyIndex.Entry]
        public var eventHashes: [Digest32]
    }

    /// A batch's records, encoded but neither compressed nor hashed into the chain: the first phase
    /// of ``encode(_:times:baseOffset:previous:)``. The bytes stay in the encoder that made them
    /// until its next ``encodeRecords(_:times:baseOffset:)``.
    struct Records: Sendable {
        var count: Int
        var baseOffset: UInt64
        var times: ArraySlice<Int64>
        /// Bytes of the record area.
        var length: Int
        var keyEntries: [KeyIndex.Entry]
        var nextOffset: UInt64 { baseOffset + UInt64(count) }
    }

    private let records = ScratchBuffer(capacity: 1 << 20)
    private let compressed = ScratchBuffer(capacity: 1 << 18)
    // An encoder is used by one thread at a time (it is not Sendable): the run-time exclusivity
    // checks on its scratch, one per event, are turned off.
    /// For record i: where its hashed bytes start and end in `records` (2i, 2i+1).
    @exclusivity(unchecked) private var spans: [Int] = []
    public var compressionLevel: Int32
    public var codec: BatchHeader.Codec

    public init(compressionLevel: Int32 = 0, codec: BatchHeader.Codec = .lz4) {
        self.compressionLevel = compressionLevel
        self.codec = codec
    }

    /// Encodes `events` as one batch starting at `baseOffset`, chained to `previous`.
    /// `times[i]` is event i's commit time; times must not decrease.
    public func encode(
        _ events: ArraySlice<NewEvent>, times: ArraySlice<Int64>, baseOffset: UInt64, previous: Digest32
    ) throws(FormatError) -> Output {
        let records = encodeRecords(events, times: times, baseOffset: baseOffset)
        return try frame(records, area: compress(records), hashes: chain(records, previous: previous))
    }

    /// Phase one: the record bytes and the key-index entries. Needs neither the chain nor the batch
    /// before, so a writer runs it for batch n+1 while batch n is compressed, hashed and written.
    func encodeRecords(_ events: ArraySlice<NewEvent>, times: ArraySlice<Int64>, baseOffset: UInt64) -> Records {
        precondition(!events.isEmpty && events.count == times.count)
        let firstTime = times.first!
        var keyEntries: [KeyIndex.Entry] = []
        keyEntries.reserveCapacity(events.count)
        spans.removeAll(keepingCapacity: true)
        spans.reserveCapacity(2 * events.count)
        var offset = baseOffset
        var length = 0
        events.withUnsafeBufferPointer { events in
            times.withUnsafeBufferPointer { times in
                for i in events.indices {
                    let event = events.baseAddress! + i
                    let bound = RecordCodec.upperBound(of: event)
                    // Write the body after room for the varint of its bound, then put its length in
                    // front of it; the body moves only when its length's varint is shorter than the bound's.
                    let room = Self.varintSize(UInt64(bound))
                    records.reserve(length + room + bound, keeping: length)
                    let p = records.pointer
                    var w = RawWriter(p, position: length + room)
                    let bodyStart = w.position
                    let layout = RecordCodec.writeBody(event, timeDelta: UInt64(times[i] - firstTime), into: &w)
                    let bodyCount = w.position - bodyStart
                    var lw = RawWriter(p, position: length)
                    lw.varint(UInt64(bodyCount))
                    let recordStart = lw.position
                    if recordStart != bodyStart { (p + recordStart).copyMemory(from: p + bodyStart, byteCount: bodyCount) }
                    length = recordStart + bodyCount
                    spans.append(recordStart + layout.hashedFrom)
                    spans.append(length)
                    keyEntries.append(KeyIndex.Entry(recordID: event.pointee.recordID, offset: offset))
                    offset += 1
                }
            }
        }
        return Records(count: events.count, baseOffset: baseOffset, times: times, length: length, keyEntries: keyEntries)
    }

    /// Phase two, beside ``chain(_:previous:)``: room for the batch header followed by the record
    /// area of `r` (the last ``encodeRecords(_:times:baseOffset:)`` of this encoder) as stored.
    func compress(_ r: Records) throws(FormatError) -> [UInt8] {
        let area: UnsafeRawBufferPointer
        switch codec {
        case .lz4:
            let n = try LZ4Codec.compressFrame(records.bytes(0..<r.length), level: compressionLevel, into: compressed)
            area = compressed.bytes(0..<n)
        case .none:
            area = records.bytes(0..<r.length)
        }
        guard BatchHeader.size + area.count <= Int(UInt32.max), r.length <= Int(UInt32.max) else {
            throw FormatError("batch is larger than 4 GiB", at: 0)
        }
        return [UInt8](unsafeUninitializedCapacity: BatchHeader.size + area.count) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: BatchHeader.size)
            if !area.isEmpty { (raw.baseAddress! + BatchHeader.size).copyMemory(from: area.baseAddress!, byteCount: area.count) }
            count = BatchHeader.size + area.count
        }
    }

    /// Bytes of the LEB128 varint of `v`.
    @inline(__always)
    static func varintSize(_ v: UInt64) -> Int {
        (64 - v.leadingZeroBitCount + 6) / 7 + (v == 0 ? 1 : 0)
    }

    /// Phase two, beside ``compress(_:)``: the hashes of the events of `r` (the last
    /// ``encodeRecords(_:times:baseOffset:)`` of this encoder), chained after `previous`.
    func chain(_ r: Records, previous: Digest32) -> [Digest32] {
        var chain = previous
        var hashes: [Digest32] = []
        hashes.reserveCapacity(r.count)
        let p = UnsafeRawPointer(records.pointer)
        spans.withUnsafeBufferPointer { spans in
            r.times.withUnsafeBufferPointer { times in
                for i in 0..<r.count {
                    let from = spans[2 * i], to = spans[2 * i + 1]
                    chain = RecordCodec.chainHash(previous: chain, offset: r.baseOffset + UInt64(i), time: times[i],
                                                  hashedBody: UnsafeRawBufferPointer(start: p + from, count: to - from))
                    hashes.append(chain)
                }
            }
        }
        return hashes
    }

    /// Phase three: writes the batch header in front of `area` (from ``compress(_:)``), given the
    /// event hashes of ``chain(_:previous:)``.
    func frame(_ r: Records, area: [UInt8], hashes: [Digest32]) throws(FormatError) -> Output {
        var out = area
        BatchHeader.write(into: &out, count: UInt32(r.count), baseOffset: r.baseOffset, firstTime: r.times.first!,
                          lastTime: r.times.last!, codec: codec, decodedLength: UInt32(r.length), chainHead: hashes.last!)
        let header = try out.withBytes { (b) throws(FormatError) in try BatchHeader(decoding: b) }
        return Output(bytes: out, header: header, keyEntries: r.keyEntries, eventHashes: hashes)
    }
}

/// Decodes the record area of a batch and walks its records.
public enum BatchDecoder {
    /// The decoded record area of `batch` (the whole batch bytes, CRC already checked).
    public static func recordArea(
        of batch: UnsafeRawBufferPointer, header: BatchHeader, scratch: inout [UInt8]
    ) throws(FormatError) -> [UInt8] {
        let payload = UnsafeRawBufferPointer(rebasing: batch[BatchHeader.size..<Int(header.length)])
        switch header.codec {
        case .lz4:
            try LZ4Codec.decompressFrame(payload, expected: Int(header.decodedLength), into: &scratch)
            return scratch
        case .none:
            guard payload.count == Int(header.decodedLength) else {
                throw FormatError("record area length disagrees with the header", at: 44)
            }
            return Array(payload)
        }
    }

    /// The decoded record area of `batch`, decoded into `scratch` (LZ4) or the payload itself (no codec).
    /// The result is valid until `scratch` is used again.
    static func recordArea(
        of batch: UnsafeRawBufferPointer, header: BatchHeader, scratch: ScratchBuffer, lz4: LZ4Decompressor
    ) throws(FormatError) -> UnsafeRawBufferPointer {
        let payload = UnsafeRawBufferPointer(rebasing: batch[BatchHeader.size..<Int(header.length)])
        let n = Int(header.decodedLength)
        switch header.codec {
        case .lz4:
            scratch.reserve(n, keeping: 0)
            try lz4.decompressFrame(payload, into: UnsafeMutableRawBufferPointer(start: scratch.pointer, count: n))
            return scratch.bytes(0..<n)
        case .none:
            guard payload.count == n else { throw FormatError("record area length disagrees with the header", at: 44) }
            return payload
        }
    }

    /// Calls `body` with each record's index and body bytes; checks that exactly `count` records fill the area.
    public static func forEachRecord(
        _ area: UnsafeRawBufferPointer, count: UInt32,
        _ body: (Int, UnsafeRawBufferPointer) throws(FormatError) -> Void
    ) throws(FormatError) {
        var r = ByteReader(area)
        for i in 0..<Int(count) {
            let at = r.position
            let n = try r.length("record length")
            guard n > 0 else { throw FormatError("empty record", at: at) }
            let b = try r.bytes(n, "record")
            do { try body(i, b) } catch { throw FormatError(error.reason, at: r.position - n + error.position) }
        }
        guard r.isAtEnd else { throw FormatError("bytes follow the last record", at: r.position) }
    }

    /// Recomputes the hashes of a batch's events from `previous`, checking their times; returns the
    /// last one. `each` gets every record's index, body and hash. Positions in thrown errors are
    /// relative to the decoded record area.
    public static func chain(
        _ area: UnsafeRawBufferPointer, header: BatchHeader, previous: Digest32,
        each: ((Int, UnsafeRawBufferPointer, Digest32) throws(FormatError) -> Void)? = nil
    ) throws(FormatError) -> Digest32 {
        var h = previous
        var lastTime = header.firstTime
        try forEachRecord(area, count: header.count) { (i, body) throws(FormatError) in
            let (delta, from) = try RecordCodec.timeDelta(of: body)
            let t = header.firstTime &+ Int64(truncatingIfNeeded: delta)
            guard delta <= UInt64(header.lastTime - header.firstTime), t >= lastTime else {
                throw FormatError("event time is outside the batch's time range or decreases", at: 0)
            }
            lastTime = t
            h = RecordCodec.chainHash(previous: h, offset: header.baseOffset + UInt64(i), time: t,
                                      hashedBody: UnsafeRawBufferPointer(rebasing: body[from...]))
            try each?(i, body, h)
        }
        guard lastTime == header.lastTime else { throw FormatError("last event time disagrees with the batch header", at: 0) }
        return h
    }
}
