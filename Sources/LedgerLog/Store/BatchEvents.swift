/// Decodes every event of a whole, CRC-checked batch and checks its chain head.
enum BatchEvents {
    /// Every event is hashed (to verify the chain); only those in `from..<until` are decoded.
    static func decode(
        _ batch: [UInt8], header: BatchHeader, previous: Digest32, file: String, position: UInt64, scratch: inout [UInt8],
        from: UInt64 = 0, until: UInt64 = .max
    ) throws(LogError) -> [LogEvent] {
        do throws(FormatError) {
            let area = try batch.withBytes { (b) throws(FormatError) in
                try BatchDecoder.recordArea(of: b, header: header, scratch: &scratch)
            }
            var events: [LogEvent] = []
            let lo = max(from, header.baseOffset), hi = min(until, header.nextOffset)
            events.reserveCapacity(hi > lo ? Int(hi - lo) : 0)
            var cache = RecordCodec.DecodeCache()
            let last = try area.withBytes { (a) throws(FormatError) in
                try BatchDecoder.chain(a, header: header, previous: previous) { (i, body, hash) throws(FormatError) in
                    let offset = header.baseOffset + UInt64(i)
                    guard offset >= from && offset < until else { return }
                    events.append(try RecordCodec.decode(body: body, offset: offset, batchFirstTime: header.firstTime, hash: hash, cache: &cache))
                }
            }
            guard last == header.chainHead else {
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
