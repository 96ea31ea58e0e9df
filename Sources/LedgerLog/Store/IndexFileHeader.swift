/// The 16-byte header every index file starts with (log-format/SPEC.md §7): a 4-byte magic,
/// u32 version 1, and a u64 (the segment's base offset, or for `.kjl` the first offset covered).
enum IndexFileHeader {
    static let size = 16

    static func encode(_ magic: [UInt8], _ value: UInt64) -> [UInt8] {
        var w = ByteWriter(capacity: size)
        w.raw(magic)
        w.u32(1)
        w.u64(value)
        return w.bytes
    }
}
