public import LedgerProjection
public import NIOCore

/// Rows in the binary format of `COPY ... FROM STDIN WITH (FORMAT binary)`: per row a 16-bit field
/// count, then each field as ``PostgresBinaryValue`` writes it. The server reads them without parsing
/// text, about twice as fast as the text format. The stream's header and trailer are written by
/// ``PostgresConnection/copyBinary(into:logger:_:)``.
public struct PostgresCopyBinary: Sendable {
    /// The encoded rows so far.
    public private(set) var bytes: ByteBuffer
    /// Rows written so far.
    public private(set) var rows = 0

    public init(reservingCapacity capacity: Int = 0) { bytes = ByteBuffer(); bytes.reserveCapacity(capacity) }

    /// Appends one row; each value is null or of its column's type.
    public mutating func append(_ values: [AnalyticsValue]) {
        var size = 2
        for v in values { size += PostgresBinaryValue.maximumSize(of: v) }
        bytes.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
            let p = out.baseAddress!
            p.storeBytes(of: Int16(values.count).bigEndian, as: Int16.self)
            var at = 2
            for v in values { at += PostgresBinaryValue.write(v, at: p + at) }
            return at
        }
        rows += 1
    }

    /// The signature, flags and header extension that open a binary COPY stream.
    public static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    /// The field count -1 that ends it.
    public static let trailer: [UInt8] = [0xFF, 0xFF]
}
