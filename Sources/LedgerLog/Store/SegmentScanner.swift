/// What lies at a position in a segment file (log-format/SPEC.md §10).
public enum ScanStep {
    /// A whole batch whose CRC holds; `bytes` holds exactly the batch.
    case batch(BatchHeader, position: UInt64)
    case footer(SegmentFooter, position: UInt64)
    /// The file ends cleanly here.
    case end(position: UInt64)
    /// An unacknowledged, partly written batch starts here.
    case torn(position: UInt64, reason: String)
    case damage(LogError)
}

/// Reads a segment file batch by batch, telling whole batches from torn tails and from damage.
public final class SegmentScanner {
    public let file: LogFile
    public let header: SegmentHeader
    public private(set) var size: UInt64
    /// The bytes of the batch last returned by ``step(at:)`` (empty once ``mapForReading()`` was called).
    public private(set) var batchBytes: [UInt8] = []
    /// The whole file as of ``size``, once mapped.
    private var map: MappedFile?
    /// Whether ``step(at:)`` checks each batch's CRC. The verifier clears it and checks CRCs on its
    /// worker threads, from the mapped bytes.
    var checksBatchCRC = true

    public init(path: String) throws(LogError) {
        file = try LogFile(path: path, mode: .readOnly)
        size = try file.size()
        let raw = try file.read(SegmentHeader.size, at: 0)
        do {
            header = try raw.withBytes { (b) throws(FormatError) in try SegmentHeader(decoding: b) }
        } catch {
            throw LogError(error, file: file.name, base: 0)
        }
    }

    public func refreshSize() throws(LogError) { size = try file.size() }

    /// Maps the file as of ``size``: from then on ``step(at:)`` reads from the map without copying
    /// batches into ``batchBytes``; ``mapped`` holds their bytes. A writer never rewrites the
    /// committed bytes of a segment (it may cut a torn, unacknowledged tail on open).
    func mapForReading() throws(LogError) {
        guard let m = MappedFile(file, size: size) else {
            throw LogError(.io, "cannot map the segment into memory", file: file.name)
        }
        map = m
    }

    /// The mapped file, after ``mapForReading()``.
    var mapped: UnsafeRawBufferPointer? { map?.bytes }

    /// Up to `count` bytes at `position`, from the map when there is one.
    private func read(_ count: Int, at position: UInt64) throws(LogError) -> [UInt8] {
        guard let m = map?.bytes else { return try file.read(count, at: position) }
        let start = Int(min(position, UInt64(m.count)))
        return Array(m[start..<min(start + count, m.count)])
    }

    /// Whether the segment file is still being created (or its creation was interrupted): shorter than
    /// its header, with bytes that are zero or a prefix of a segment header. It holds no event (SPEC §10).
    public static func isBeingCreated(path: String) throws(LogError) -> Bool {
        guard let size = LogDirectory.fileSize(path), size < UInt64(SegmentHeader.size) else { return false }
        let bytes = try LogFile(path: path, mode: .readOnly).read(Int(size), at: 0)
        let n = min(bytes.count, SegmentHeader.magic.count)
        return bytes.allSatisfy { $0 == 0 } || Array(bytes[0..<n]) == Array(SegmentHeader.magic[0..<n])
    }

    /// Opens a segment, or returns nil when it is still being created.
    public static func openIfComplete(path: String) throws(LogError) -> SegmentScanner? {
        try isBeingCreated(path: path) ? nil : SegmentScanner(path: path)
    }

    /// The footer in the file's last 128 bytes, if they hold a valid one that belongs to this segment.
    public func trailingFooter() throws(LogError) -> SegmentFooter? {
        guard size >= UInt64(SegmentHeader.size + SegmentFooter.size) else { return nil }
        let at = size - UInt64(SegmentFooter.size)
        let raw = try file.read(SegmentFooter.size, at: at)
        guard Array(raw[0..<4]) == SegmentFooter.magic,
              let f = try? raw.withBytes({ (b) throws(FormatError) in try SegmentFooter(decoding: b) }),
              f.position == at, f.baseOffset == header.baseOffset else { return nil }
        return f
    }

    private func allZero(from position: UInt64) throws(LogError) -> Bool {
        var p = position
        while p < size {
            let chunk = try file.read(Int(min(1 << 20, size - p)), at: p)
            if chunk.isEmpty { break }
            if chunk.contains(where: { $0 != 0 }) { return false }
            p += UInt64(chunk.count)
        }
        return true
    }

    private func damage(_ reason: String, at position: UInt64) -> ScanStep {
        .damage(LogError(.damaged, reason, file: file.name, position: position))
    }

    /// "LBAT", the first four bytes of every batch.
    static let batchMagic: [UInt8] = withUnsafeBytes(of: BatchHeader.magic.littleEndian) { Array($0) }

    public func step(at position: UInt64) throws(LogError) -> ScanStep {
        if position >= size { return .end(position: position) }
        let remaining = size - position
        // One read covers the magic and a whole batch header or footer; a second reads the batch's rest.
        let head = try read(Int(min(remaining, UInt64(SegmentFooter.size))), at: position)
        if head.count < 4 {
            if head.allSatisfy({ $0 == 0 }) || Array(Self.batchMagic.prefix(head.count)) == head
                || Array(SegmentFooter.magic.prefix(head.count)) == head {
                return .torn(position: position, reason: "the file ends inside a batch header")
            }
            return damage("bytes after the last batch are not a batch", at: position)
        }
        let magic = Array(head[0..<4])
        if magic == SegmentFooter.magic {
            guard head.count == SegmentFooter.size else {
                return .torn(position: position, reason: "the file ends inside the footer")
            }
            do {
                let f = try head.withBytes { (b) throws(FormatError) in try SegmentFooter(decoding: b) }
                guard remaining == UInt64(SegmentFooter.size) else { return damage("bytes follow the footer", at: position + 128) }
                guard f.position == position else { return damage("footer position field is wrong", at: position + 104) }
                return .footer(f, position: position)
            } catch {
                return .damage(LogError(error, file: file.name, base: position))
            }
        }
        if magic != Self.batchMagic {
            if try allZero(from: position) { return .torn(position: position, reason: "zero-filled tail") }
            return damage("batch magic is wrong", at: position)
        }
        guard head.count >= BatchHeader.size else {
            return .torn(position: position, reason: "the file ends inside a batch header")
        }
        let header: BatchHeader
        do {
            header = try head.withBytes { (b) throws(FormatError) in try BatchHeader(decoding: b) }
        } catch {
            return .damage(LogError(error, file: file.name, base: position))
        }
        let length = Int(header.length)
        if UInt64(length) > remaining {
            return .torn(position: position, reason: "the batch's length runs past the end of the file")
        }
        if let m = map?.bytes {
            // size ≤ the mapped length, and `length` ≤ the bytes remaining: the batch is all there.
            if checksBatchCRC {
                let ok = header.checkCRC(UnsafeRawBufferPointer(rebasing: m[Int(position)..<(Int(position) + length)]))
                guard ok else { return damage("batch CRC mismatch", at: position) }
            }
            return .batch(header, position: position)
        }
        if batchBytes.count != length {
            batchBytes = [UInt8](repeating: 0, count: length)
        }
        let copied = min(length, head.count)
        let n = try batchBytes.withMutableBytes { (b) throws(LogError) -> Int in
            head.withUnsafeBytes { h in b.copyMemory(from: UnsafeRawBufferPointer(rebasing: h[0..<copied])) }
            return try copied + file.read(into: UnsafeMutableRawBufferPointer(rebasing: b[copied...]), at: position + UInt64(copied))
        }
        guard n == length else { return .torn(position: position, reason: "the batch is incomplete") }
        if checksBatchCRC {
            let ok = batchBytes.withUnsafeBytes { header.checkCRC($0) }
            guard ok else { return damage("batch CRC mismatch", at: position) }
        }
        return .batch(header, position: position)
    }
}
