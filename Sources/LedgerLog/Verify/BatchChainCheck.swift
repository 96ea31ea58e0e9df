import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks the CRCs and hash chains of a run of batches on all cores. Each batch starts from the
/// chain head stored in the batch before it (the first from the verified running head); since every
/// batch's recomputed last hash must equal its own stored head, the batches link into one verified chain.
struct BatchChainCheck {
    struct Pending {
        var header: BatchHeader
        /// The batch's position in the segment file (and in its mapped bytes).
        var position: UInt64
        var previous: Digest32
    }

    enum Outcome {
        case ok
        case failed(reason: String, position: UInt64)
    }

    /// One worker's reusable memory: the decoded record area and an LZ4 context.
    final class Workspace: @unchecked Sendable {
        let area = ScratchBuffer(capacity: 1 << 18)
        let lz4: LZ4Decompressor
        init() throws(FormatError) { lz4 = try LZ4Decompressor() }
    }

    /// What the workers of one ``run(_:segment:deep:hashes:hashBase:)`` share.
    private struct Job: @unchecked Sendable {
        let batches: UnsafeBufferPointer<Pending>
        let segment: UnsafeRawBufferPointer
        let outcomes: UnsafeMutableBufferPointer<Outcome>
        let hashes: UnsafeMutableBufferPointer<Digest32>?
    }

    private let workspaces: [Workspace]

    /// One workspace per online core.
    init() throws(LogError) {
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        do {
            workspaces = try (0..<cores).map { (_) throws(FormatError) in try Workspace() }
        } catch {
            throw LogError(.io, error.reason)
        }
    }

    /// Checks `batches` of the segment whose bytes are `segment`, concurrently; outcomes are in the
    /// same order. With `deep`, every record is also decoded. When `hashes` is given, event `o`'s hash
    /// goes to `hashes[o - hashBase]`.
    func run(_ batches: [Pending], segment: UnsafeRawBufferPointer, deep: Bool,
             hashes: UnsafeMutableBufferPointer<Digest32>? = nil, hashBase: UInt64 = 0) -> [Outcome] {
        let outcomes = UnsafeMutableBufferPointer<Outcome>.allocate(capacity: batches.count)
        outcomes.initialize(repeating: .ok)
        defer { outcomes.deinitialize().deallocate() }
        let next = Atomic<Int>(0)
        let workers = min(workspaces.count, batches.count)
        batches.withUnsafeBufferPointer { batches in
            // The workers share read-only inputs and write disjoint outcomes and hashes.
            let job = Job(batches: batches, segment: segment, outcomes: outcomes, hashes: hashes)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let space = workspaces[w]
                while true {
                    let i = next.add(1, ordering: .relaxed).oldValue
                    guard i < job.batches.count else { return }
                    job.outcomes[i] = Self.check(job.batches[i], segment: job.segment, deep: deep, hashes: job.hashes,
                                                 hashBase: hashBase, space: space)
                }
            }
        }
        return Array(outcomes)
    }

    private static func check(_ b: Pending, segment: UnsafeRawBufferPointer, deep: Bool,
                              hashes: UnsafeMutableBufferPointer<Digest32>?, hashBase: UInt64, space: Workspace) -> Outcome {
        let start = Int(b.position)
        let bytes = UnsafeRawBufferPointer(rebasing: segment[start..<(start + Int(b.header.length))])
        guard b.header.checkCRC(bytes) else { return .failed(reason: "batch CRC mismatch", position: b.position) }
        do throws(FormatError) {
            let area = try BatchDecoder.recordArea(of: bytes, header: b.header, scratch: space.area, lz4: space.lz4)
            // One walk of the chain; in deep mode it also decodes every record (checking §3's rules).
            let first = Int(b.header.baseOffset - hashBase)
            let each: ((Int, UnsafeRawBufferPointer, Digest32) throws(FormatError) -> Void)? = hashes != nil || deep
                ? { (i, body, h) throws(FormatError) in
                    hashes?[first + i] = h
                    if deep {
                        _ = try RecordCodec.decode(body: body, offset: b.header.baseOffset + UInt64(i),
                                                   batchFirstTime: b.header.firstTime, hash: h)
                    }
                }
                : nil
            let last = try BatchDecoder.chain(area, header: b.header, previous: b.previous, each: each)
            guard last == b.header.chainHead else {
                return .failed(reason: "hash chain mismatch: events of offsets \(b.header.baseOffset)–\(b.header.lastOffset) do not hash to the batch's chain head",
                               position: b.position + 48)
            }
        } catch {
            return .failed(reason: "\(error.reason) (in the batch of offsets \(b.header.baseOffset)–\(b.header.lastOffset))", position: b.position)
        }
        return .ok
    }
}
