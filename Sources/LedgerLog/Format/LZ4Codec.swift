internal import CLZ4

/// LZ4 frame compression through liblz4.
public enum LZ4Codec {
    /// Compresses `source` into one LZ4 frame with the content size set and no content checksum
    /// (the batch CRC covers the bytes). `level` 0 is LZ4's fast mode; 3...12 are LZ4-HC.
    /// Its length is returned; the frame starts at `scratch.pointer`.
    static func compressFrame(_ source: UnsafeRawBufferPointer, level: Int32, into scratch: ScratchBuffer) throws(FormatError) -> Int {
        var prefs = LZ4F_preferences_t()
        prefs.frameInfo.contentSize = UInt64(source.count)
        prefs.frameInfo.blockMode = LZ4F_blockLinked
        prefs.frameInfo.blockSizeID = LZ4F_max4MB
        prefs.compressionLevel = level
        let bound = LZ4F_compressFrameBound(source.count, &prefs)
        scratch.reserve(bound, keeping: 0)
        let r = LZ4F_compressFrame(scratch.pointer, bound, source.baseAddress, source.count, &prefs)
        if LZ4F_isError(r) != 0 {
            throw FormatError("LZ4 compression failed: \(String(cString: LZ4F_getErrorName(r)))", at: 0)
        }
        return r
    }

    /// Decodes one LZ4 frame that must expand to exactly `expected` bytes.
    public static func decompressFrame(_ source: UnsafeRawBufferPointer, expected: Int, into out: inout [UInt8]) throws(FormatError) {
        let decompressor = try LZ4Decompressor()
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(expected)
        out.append(contentsOf: repeatElement(0, count: expected))
        try out.withMutableBytes { (dst) throws(FormatError) in try decompressor.decompressFrame(source, into: dst) }
    }
}
