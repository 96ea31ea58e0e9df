public import LedgerProjection
public import NIOCore

/// A replay's rows kept in binary COPY format (``PostgresCopyBinary``), one after another; replaced
/// rows stay in place and are skipped by ``chunk(from:alive:size:)``.
public struct PostgresBinaryRows: AnalyticsReplayStorage {
    private var rows = PostgresCopyBinary()
    private var ends: [Int] = []

    public init() {}

    public mutating func append(_ values: [AnalyticsValue]) {
        rows.append(values)
        ends.append(rows.bytes.writerIndex)
    }

    public mutating func remove(_ index: Int) {}

    /// The rows `alive` marks, from row `row` on, up to about `size` bytes, in log order; advances
    /// `row`, and returns nil when no row is left. Runs of live rows are sliced, not copied.
    func chunk(from row: inout Int, alive: [Bool], size: Int = 1 << 20) -> ByteBuffer? {
        guard row < ends.count else { return nil }
        var chunk = ByteBuffer()
        var length = 0
        while row < ends.count && length < size {
            let start = row == 0 ? 0 : ends[row - 1]
            var end = start
            while row < ends.count && alive[row] && end - start < size {
                end = ends[row]
                row += 1
            }
            if end > start {
                var slice = rows.bytes.getSlice(at: start, length: end - start)!
                length += end - start
                if chunk.readableBytes == 0 && length >= size { return slice }
                chunk.writeBuffer(&slice)
            } else {
                row += 1
            }
        }
        return chunk
    }
}

extension AnalyticsReplay.Rows where Storage == PostgresBinaryRows {
    /// The binary COPY rows of the live rows from row `row` on, up to about `size` bytes.
    public func chunk(from row: inout Int, size: Int = 1 << 20) -> ByteBuffer? {
        storage.chunk(from: &row, alive: alive, size: size)
    }
}
