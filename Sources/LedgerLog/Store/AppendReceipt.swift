/// What a durable append returns: the offsets its events got and the chain head after them.
public struct AppendReceipt: Sendable, Hashable {
    public var firstOffset: UInt64
    public var count: Int
    public var chainHead: Digest32
    public var time: Timestamp

    public var nextOffset: UInt64 { firstOffset + UInt64(count) }
}
