/// Builds batches from events and walks the records of decoded batches (log-format/SPEC.md §2.2, §3).
public final class BatchEncoder {
    public struct Output: Sendable {
        /// The whole batch, header included.
        public var bytes: [UInt8]
        public var header: BatchHeader
        public var keyEntries: [KeyIndex.Entry]
        public var eventHashes: [Digest32]
    }

    private let records = ScratchBuffer(capacity: 1 << 20)
    private let keyText = ScratchBuffer(capacity: 256)
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
        precondition(!events.isEmpty && events.count == times.count)
        let firstTime = times.first!
        var chain = previous
        var keyEntries: [KeyIndex.Entry] = []
        keyEntries.reserveCapacity(events.count)
        var hashes: [Digest32] = []
        hashes.reserveCapacity(events.count)
        var offset = baseOffset
        var length = 0
        let lengthRoom = 5
        events.withUnsafeBufferPointer { events in
            times.withUnsafeBufferPointer { times in
                for i in events.indices {
                    let t = times[i]
                    let bound = RecordCodec.upperBound(of: events[i])
                    records.reserve(length + lengthRoom + 5 + bound, keeping: length)
                    let p = records.pointer
                    // Write the body after room for its length, then put the length in front of it.
                    var w = RawWriter(p, position: length + lengthRoom + 5)
                    let bodyStart = w.position
                    let layout = RecordCodec.writeBody(events[i], timeDelta: UInt64(t - firstTime), into: &w)
                    let bodyCount = w.position - bodyStart
                    var lw = RawWriter(p, position: length)
                    lw.varint(UInt64(bodyCount))
                    let recordStart = lw.position
                    (p + recordStart).copyMemory(from: p + bodyStart, byteCount: bodyCount)
                    let hashed = UnsafeRawBufferPointer(start: p + recordStart + layout.hashedFrom, count: bodyCount - layout.hashedFrom)
                    chain = RecordCodec.chainHash(previous: chain, offset: offset, time: t, hashedBody: hashed)
                    length = recordStart + bodyCount
                    hashes.append(chain)
                    keyEntries.append(KeyIndex.Entry(recordID: EventIdentity.recordID(of: events[i], scratch: keyText), offset: offset))
                    offset += 1
                }
            }
        }
        var out = [UInt8](repeating: 0, count: BatchHeader.size)
        switch codec {
        case .lz4:
            try LZ4Codec.compressFrame(records.bytes(0..<length), level: compressionLevel, into: &out)
        case .none:
            out.append(contentsOf: records.bytes(0..<length))
        }
        guard out.count <= Int(UInt32.max), length <= Int(UInt32.max) else {
            throw FormatError("batch is larger than 4 GiB", at: 0)
        }
        BatchHeader.write(into: &out, count: UInt32(events.count), baseOffset: baseOffset, firstTime: firstTime,
                          lastTime: times.last!, codec: codec, decodedLength: UInt32(length), chainHead: chain)
        let header = try out.withBytes { (b) throws(FormatError) in try BatchHeader(decoding: b) }
        return Output(bytes: out, header: header, keyEntries: keyEntries, eventHashes: hashes)
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
