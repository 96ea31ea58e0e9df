internal import CLZ4

/// A reusable LZ4 frame decompression context: decodes frames straight into caller-owned memory,
/// so a verifier worker neither allocates a context nor an output array per batch.
final class LZ4Decompressor {
    private let context: OpaquePointer

    init() throws(FormatError) {
        var dctx: OpaquePointer?
        let c = LZ4F_createDecompressionContext(&dctx, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(c) == 0, let dctx else { throw FormatError("LZ4 context could not be created", at: 0) }
        context = dctx
    }

    deinit { LZ4F_freeDecompressionContext(context) }

    /// Decodes the one LZ4 frame in `source`, which must fill `destination` exactly.
    func decompressFrame(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws(FormatError) {
        let expected = destination.count
        var srcPos = 0
        var dstPos = 0
        while true {
            var srcSize = source.count - srcPos
            var dstSize = expected - dstPos
            let hint = LZ4F_decompress(context, destination.baseAddress.map { $0 + dstPos }, &dstSize,
                                       source.baseAddress.map { $0 + srcPos }, &srcSize, nil)
            if LZ4F_isError(hint) != 0 {
                LZ4F_resetDecompressionContext(context)
                throw FormatError("LZ4 frame is invalid: \(String(cString: LZ4F_getErrorName(hint)))", at: srcPos)
            }
            srcPos += srcSize
            dstPos += dstSize
            if hint == 0 { break }
            if srcSize == 0 && dstSize == 0 {
                LZ4F_resetDecompressionContext(context)
                throw FormatError(dstPos == expected ? "LZ4 frame is longer than its declared length" : "LZ4 frame is truncated", at: srcPos)
            }
        }
        guard srcPos == source.count else { throw FormatError("bytes follow the LZ4 frame", at: srcPos) }
        guard dstPos == expected else {
            throw FormatError("LZ4 frame decodes to \(dstPos) bytes, header says \(expected)", at: 0)
        }
    }
}
