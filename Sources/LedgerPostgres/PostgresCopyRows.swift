public import LedgerProjection

/// A replay's rows kept as COPY text (what `psql \copy` reads by default), one after another;
/// replaced rows stay in place and are skipped by ``chunk(from:alive:size:)``.
public struct PostgresCopyRows: AnalyticsReplayStorage {
    private var text = PostgresCopyText()
    private var ends: [Int] = []

    public init() {}

    public mutating func append(_ values: [AnalyticsValue]) {
        text.append(values)
        ends.append(text.bytes.count)
    }

    public mutating func remove(_ index: Int) {}

    /// The COPY text of the rows `alive` marks, from row `row` on, up to about `size` bytes, in log
    /// order; advances `row`, and returns nil when no row is left.
    func chunk(from row: inout Int, alive: [Bool], size: Int = 1 << 20) -> [UInt8]? {
        guard row < ends.count else { return nil }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(size + 1024)
        while row < ends.count && chunk.count < size {
            if alive[row] { chunk += text.bytes[(row == 0 ? 0 : ends[row - 1])..<ends[row]] }
            row += 1
        }
        return chunk
    }
}

extension AnalyticsReplay.Rows where Storage == PostgresCopyRows {
    /// The COPY text of the live rows from row `row` on, up to about `size` bytes.
    public func chunk(from row: inout Int, size: Int = 1 << 20) -> [UInt8]? {
        storage.chunk(from: &row, alive: alive, size: size)
    }
}
