public import LedgerLog

/// Where the parts of one segment file lie, read from an undamaged segment with the format's own
/// decoders. Damage tests use it to aim byte flips and truncations at a header, a batch field or a footer.
public struct SegmentLayout: Sendable {
    public struct Batch: Sendable {
        /// File position of the batch header.
        public var position: Int
        public var header: BatchHeader
        public var end: Int { position + Int(header.length) }
        public var range: Range<Int> { position..<end }
    }

    public var name: String
    public var size: Int
    public var header: SegmentHeader
    public var batches: [Batch]
    /// File position of the footer, for a sealed segment.
    public var footerPosition: Int?
    public var footer: SegmentFooter?

    public var isSealed: Bool { footer != nil }
    public var headerRange: Range<Int> { 0..<SegmentHeader.size }
    public var footerRange: Range<Int>? { footerPosition.map { $0..<($0 + SegmentFooter.size) } }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func read(directory: String, name: String) throws -> SegmentLayout {
        let bytes = try TestFiles.read(directory + "/" + name)
        return try bytes.withUnsafeBytes { raw throws -> SegmentLayout in
            let header = try SegmentHeader(decoding: UnsafeRawBufferPointer(rebasing: raw[0..<SegmentHeader.size]))
            var batches: [Batch] = []
            var p = SegmentHeader.size
            var footer: SegmentFooter?
            var footerPosition: Int?
            while p < raw.count {
                if raw.count - p >= 4, Array(raw[p..<(p + 4)]) == SegmentFooter.magic {
                    footer = try SegmentFooter(decoding: UnsafeRawBufferPointer(rebasing: raw[p...]))
                    footerPosition = p
                    p += SegmentFooter.size
                    break
                }
                let h = try BatchHeader(decoding: UnsafeRawBufferPointer(rebasing: raw[p...]))
                batches.append(Batch(position: p, header: h))
                p += Int(h.length)
            }
            guard p == raw.count else { throw Failure(description: "\(name): \(raw.count - p) bytes after the last part") }
            return SegmentLayout(name: name, size: raw.count, header: header, batches: batches,
                                 footerPosition: footerPosition, footer: footer)
        }
    }

    /// The layouts of every segment of a log directory, by ascending base offset.
    public static func all(directory: String) throws -> [SegmentLayout] {
        try TestFiles.names(in: directory).filter { $0.hasSuffix(".seg") }.map { try read(directory: directory, name: $0) }
    }

    /// The commit watermark after the last whole batch that ends at or before `position`.
    public func head(atOrBefore position: Int) -> HeadRecord {
        var h = HeadRecord(nextOffset: header.baseOffset, chainHead: header.previousHash)
        for b in batches where b.end <= position {
            h = HeadRecord(nextOffset: b.header.nextOffset, chainHead: b.header.chainHead)
        }
        return h
    }
}
