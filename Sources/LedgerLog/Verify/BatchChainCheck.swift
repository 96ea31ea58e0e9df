import Dispatch
import Synchronization

/// Checks the hash chains of a run of batches on all cores. Each batch starts from the chain head
/// stored in the batch before it (the first from the verified running head); since every batch's
/// recomputed last hash must equal its own stored head, the batches link into one verified chain.
struct BatchChainCheck {
    struct Pending {
        var header: BatchHeader
        var bytes: [UInt8]
        var position: UInt64
        var previous: Digest32
    }

    enum Outcome {
        case ok(hashes: [Digest32])
        case failed(reason: String, position: UInt64)
    }

    /// Checks `batches` concurrently; outcomes are in the same order. `collectHashes` keeps each event hash.
    static func run(_ batches: [Pending], deep: Bool, collectHashes: Bool) -> [Outcome] {
        let outcomes = Mutex([Outcome](repeating: .ok(hashes: []), count: batches.count))
        DispatchQueue.concurrentPerform(iterations: batches.count) { i in
            let outcome = check(batches[i], deep: deep, collectHashes: collectHashes)
            outcomes.withLock { $0[i] = outcome }
        }
        return outcomes.withLock { $0 }
    }

    private static func check(_ b: Pending, deep: Bool, collectHashes: Bool) -> Outcome {
        var scratch: [UInt8] = []
        var hashes: [Digest32] = []
        if collectHashes { hashes.reserveCapacity(Int(b.header.count)) }
        do throws(FormatError) {
            let area = try b.bytes.withBytes { (raw) throws(FormatError) in
                try BatchDecoder.recordArea(of: raw, header: b.header, scratch: &scratch)
            }
            // One walk of the chain; in deep mode it also decodes every record (checking §3's rules).
            let each: ((Int, UnsafeRawBufferPointer, Digest32) throws(FormatError) -> Void)? = collectHashes || deep
                ? { (i, body, h) throws(FormatError) in
                    if collectHashes { hashes.append(h) }
                    if deep {
                        _ = try RecordCodec.decode(body: body, offset: b.header.baseOffset + UInt64(i),
                                                   batchFirstTime: b.header.firstTime, hash: h)
                    }
                }
                : nil
            let last = try area.withBytes { (a) throws(FormatError) in
                try BatchDecoder.chain(a, header: b.header, previous: b.previous, each: each)
            }
            guard last == b.header.chainHead else {
                return .failed(reason: "hash chain mismatch: events of offsets \(b.header.baseOffset)–\(b.header.lastOffset) do not hash to the batch's chain head",
                               position: b.position + 48)
            }
        } catch {
            return .failed(reason: "\(error.reason) (in the batch of offsets \(b.header.baseOffset)–\(b.header.lastOffset))", position: b.position)
        }
        return .ok(hashes: hashes)
    }
}
