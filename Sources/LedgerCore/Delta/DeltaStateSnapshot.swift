public import LedgerLog

/// A saved ``DeltaState``, so a sync run starts without replaying the whole log.
///
/// The snapshot is only a cache: it names the log offset it reflects and the hash of the event just
/// before it. ``load(directory:head:)`` checks that hash against the log and replays the events after
/// the snapshot; a missing, damaged or foreign snapshot is ignored and the state is rebuilt from
/// offset 0. It lives in the log directory as `delta-state.snapshot`; the log format ignores it.
///
/// Layout (little-endian): `LDST`, u32 version 1, u64 next offset, 32-byte last hash, u32 entity
/// count and the names (u32 length + UTF-8), u32 source count and per source its name and its cursor
/// (u32 count, then name/value strings), u64 record count and per record 16-byte record id, u16
/// entity, u8 flags (1 deleted, 2 has rowversion), 32-byte data hash, u64 offset, [rowversion
/// string]; then a CRC-32C of everything before it.
public enum DeltaStateSnapshot {
    public static let fileName = "delta-state.snapshot"
    static let magic: UInt32 = 0x5453_444C  // "LDST"

    public static func path(directory: String) -> String { directory + "/" + fileName }

    public static func encode(_ s: DeltaState) -> [UInt8] {
        var w = ByteWriter(capacity: 64 + s.records.count * 64)
        w.u32(magic)
        w.u32(1)
        w.u64(s.nextOffset)
        digest(s.lastHash, into: &w)
        w.u32(UInt32(s.entities.count))
        for e in s.entities { string(e, into: &w) }
        w.u32(UInt32(s.cursors.count))
        for (source, cursor) in s.cursors.sorted(by: { $0.key < $1.key }) {
            string(source, into: &w)
            w.u32(UInt32(cursor.values.count))
            for (k, v) in cursor.values.sorted(by: { $0.key < $1.key }) {
                string(k, into: &w)
                string(v, into: &w)
            }
        }
        w.u64(UInt64(s.records.count))
        for (id, r) in s.records {
            w.u64(id.high)
            w.u64(id.low)
            w.u16(r.entity)
            w.u8((r.deleted ? 1 : 0) | (r.rowversion == nil ? 0 : 2))
            digest(r.dataHash, into: &w)
            w.u64(r.offset)
            if let rv = r.rowversion { string(rv, into: &w) }
        }
        w.u32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    /// Nil when the bytes are not a whole, undamaged snapshot.
    public static func decode(_ bytes: [UInt8]) -> DeltaState? {
        guard bytes.count >= 4 + 4 + 8 + 32 + 4 else { return nil }
        return bytes.withUnsafeBytes { raw -> DeltaState? in
            let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)])
            guard CRC32C.checksum(body) == raw.loadUnaligned(fromByteOffset: raw.count - 4, as: UInt32.self).littleEndian else { return nil }
            var r = ByteReader(body)
            do {
                guard try r.u32() == magic, try r.u32() == 1 else { return nil }
                var s = DeltaState()
                let next = try r.u64()
                let last = Digest32(try r.bytes(32))
                for _ in 0..<(try r.u32()) { _ = s.entityID(try string(&r)) }
                for _ in 0..<(try r.u32()) {
                    let source = try string(&r)
                    var values: [String: String] = [:]
                    for _ in 0..<(try r.u32()) { values[try string(&r)] = try string(&r) }
                    s.applyCheckpoint(source: source, cursor: SourceCursor(values))
                }
                let n = try r.u64()
                s.reserveRecords(Int(n))
                for _ in 0..<n {
                    let id = XXH128(high: try r.u64(), low: try r.u64())
                    let entity = try r.u16()
                    let flags = try r.u8()
                    let hash = Digest32(try r.bytes(32))
                    let offset = try r.u64()
                    let rv = flags & 2 != 0 ? try string(&r) : nil
                    guard Int(entity) < s.entities.count else { return nil }
                    s.restore(id, RecordState(entity: entity, deleted: flags & 1 != 0, dataHash: hash, rowversion: rv, offset: offset))
                }
                guard r.isAtEnd else { return nil }
                s.advance(to: next, lastHash: last)
                return s
            } catch {
                return nil
            }
        }
    }

    /// Writes the snapshot atomically (temporary file, fsync, rename).
    public static func save(_ s: DeltaState, directory: String) throws(LogError) {
        try FileBytes.writeAtomically(encode(s), to: path(directory: directory))
    }

    /// The state at `head`: the snapshot if it belongs to this log, plus the events after it; else a
    /// rebuild from offset 0. `rebuilt` says which happened.
    public static func load(
        directory: String, head: UInt64, progress: ((UInt64, UInt64) -> Void)? = nil
    ) throws(LogError) -> (state: DeltaState, rebuilt: Bool) {
        if let bytes = FileBytes.read(path(directory: directory)), let s = decode(bytes), s.nextOffset <= head,
           try matches(s, directory: directory) {
            var s = s
            try s.catchUp(directory: directory, to: head, progress: progress)
            return (s, false)
        }
        var s = DeltaState()
        try s.catchUp(directory: directory, to: head, progress: progress)
        return (s, true)
    }

    private static func matches(_ s: DeltaState, directory: String) throws(LogError) -> Bool {
        guard s.nextOffset > 0 else { return s.lastHash == .zero }
        return try LogReader(directory: directory).event(at: s.nextOffset - 1)?.hash == s.lastHash
    }

    private static func digest(_ d: Digest32, into w: inout ByteWriter) {
        w.u64(d.w0); w.u64(d.w1); w.u64(d.w2); w.u64(d.w3)
    }

    private static func string(_ s: String, into w: inout ByteWriter) {
        w.u32(UInt32(s.utf8.count))
        w.raw(s.utf8)
    }

    private static func string(_ r: inout ByteReader) throws(FormatError) -> String {
        let n = Int(try r.u32())
        return String(decoding: try r.bytes(n), as: UTF8.self)
    }
}
