/// Decodes every event of a whole, CRC-checked batch and checks its chain head.
enum BatchEvents {
    /// Events outside `from..<until` are only hashed (to verify the chain), not decoded.
    static func decode(
        _ batch: [UInt8], header: BatchHeader, previous: Digest32, file: String, position: UInt64, scratch: inout [UInt8],
        from: UInt64 = 0, until: UInt64 = .max
    ) throws(LogError) -> [LogEvent] {
        do throws(FormatError) {
            let area = try batch.withBytes { (b) throws(FormatError) in
                try BatchDecoder.recordArea(of: b, header: header, scratch: &scratch)
            }
            var events: [LogEvent] = []
            events.reserveCapacity(Int(header.count))
            var prev = previous
            var lastTime = header.firstTime
            try area.withBytes { (a) throws(FormatError) in
                try BatchDecoder.forEachRecord(a, count: header.count) { (i, body) throws(FormatError) in
                    let offset = header.baseOffset + UInt64(i)
                    if offset < from || offset >= until {
                        let (delta, hashedFrom) = try RecordCodec.timeDelta(of: body)
                        let t = header.firstTime &+ Int64(truncatingIfNeeded: delta)
                        guard delta <= UInt64(header.lastTime - header.firstTime), t >= lastTime else {
                            throw FormatError("event time is outside the batch's time range or decreases", at: 0)
                        }
                        lastTime = t
                        prev = RecordCodec.chainHash(previous: prev, offset: offset, time: t,
                                                     hashedBody: UnsafeRawBufferPointer(rebasing: body[hashedFrom...]))
                        return
                    }
                    let e = try RecordCodec.decode(body: body, offset: offset,
                                                   batchFirstTime: header.firstTime, previous: prev)
                    guard e.time.microseconds >= lastTime, e.time.microseconds <= header.lastTime else {
                        throw FormatError("event time is outside the batch's time range or decreases", at: 0)
                    }
                    lastTime = e.time.microseconds
                    prev = e.hash
                    events.append(e)
                }
            }
            guard lastTime == header.lastTime else { throw FormatError("last event time disagrees with the batch header", at: 32) }
            guard prev == header.chainHead else {
                throw FormatError("hash chain mismatch: the batch's events do not hash to its stored chain head", at: 48)
            }
            return events
        } catch {
            // Positions inside the decoded area are not file positions: name the batch.
            throw LogError(.damaged, "\(error.reason) (in the batch of offsets \(header.baseOffset)–\(header.lastOffset))",
                           file: file, position: position)
        }
    }
}
