#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import LedgerLog

/// A saved ``DeltaState``, so a sync run starts without replaying the whole log.
///
/// The snapshot is only a cache: it names the log offset it reflects and the hash of the event just
/// before it. ``load(directory:head:progress:)`` checks that hash against the log and replays the
/// events after the snapshot; a missing, damaged or foreign snapshot is ignored and the state is
/// rebuilt from offset 0. It lives in the log directory as `delta-state.snapshot`; the log format
/// ignores it.
///
/// A save after a load from a snapshot writes only the records changed since, as
/// `delta-state.journal` beside the untouched snapshot, while they are fewer than a quarter of all
/// records (at least 16,384); otherwise it writes a whole snapshot and removes the journal. A load
/// applies the journal when it extends that very snapshot and matches the log, and ignores it
/// otherwise (the events after the snapshot are then replayed from the log instead).
///
/// Layout (little-endian): `LDST`, u32 version 2, u64 next offset, 32-byte last hash, u32 entity
/// count and the names (u32 length + UTF-8), u32 source count and per source its name and its cursor
/// (u32 count, then name/value strings); u64 record count, u64 capacity (a power of two) and the
/// ``RecordTable``'s tag byte per slot; per record, in slot order, 16-byte record id, u16 entity, u8
/// flags (1 deleted, 2 has rowversion), 32-byte data hash, u64 offset; u64 rowversion count and per
/// rowversion the 16-byte record id and the string; then a CRC-32C of everything before it. A load
/// reads the records in place (``RecordTableImage``) instead of building a table.
///
/// A journal is `LDSJ`, u32 version 1, the u64 next offset and 32-byte last hash of the snapshot it
/// extends, the same header fields, u64 record count and per record its fixed part as above with the
/// rowversion string after it when flagged, then the CRC. Version 1 snapshots (that record list
/// instead of the table) are still read, and written again whole as version 2 at the next save.
public enum DeltaStateSnapshot {
    public static let fileName = "delta-state.snapshot"
    public static let journalFileName = "delta-state.journal"
    static let magic: UInt32 = 0x5453_444C  // "LDST"
    static let journalMagic: UInt32 = 0x4A53_444C  // "LDSJ"

    /// A snapshot's position: the state's next offset and last hash when it was written.
    public struct Mark: Sendable, Hashable {
        public var nextOffset: UInt64
        public var lastHash: Digest32
    }

    public static func path(directory: String) -> String { directory + "/" + fileName }
    public static func journalPath(directory: String) -> String { directory + "/" + journalFileName }

    /// The whole state.
    public static func encode(_ s: DeltaState) -> [UInt8] {
        var out: [UInt8] = []
        streamSnapshot(s) { out.append(contentsOf: $0) }
        return out
    }

    /// Runs `body` with a writer of about 1 MiB and two ways to hand bytes on to `emit`: `flush` the
    /// writer's, `pass` others as they are; all under a running CRC-32C, which goes last.
    private static func checksummed<E: Error>(
        to emit: (UnsafeRawBufferPointer) throws(E) -> Void,
        _ body: (inout ByteWriter, _ pass: (UnsafeRawBufferPointer) throws(E) -> Void, _ flush: (inout ByteWriter) throws(E) -> Void) throws(E) -> Void
    ) throws(E) {
        // `pass` and `flush` capture `emit` and go to `body`: both only for the length of this call.
        try withoutActuallyEscaping(emit) { (emit) throws(E) in
            var crc: UInt32 = 0
            func pass(_ b: UnsafeRawBufferPointer) throws(E) {
                crc = CRC32C.checksum(b, continuing: crc)
                try emit(b)
            }
            func flush(_ w: inout ByteWriter) throws(E) {
                try w.bytes.withUnsafeBytes { b in Result { () throws(E) in try pass(b) } }.get()
                w.removeAll()
            }
            var w = ByteWriter(capacity: 1 << 20)
            try body(&w, pass, flush)
            try flush(&w)
            w.u32(crc)
            try w.bytes.withUnsafeBytes { b in Result { () throws(E) in try emit(b) } }.get()
        }
    }

    /// Hands a journal over the snapshot `base` to `emit`: the records set since `s` was loaded from
    /// it (``RecordTable/ownRecords``).
    private static func streamJournal<E: Error>(_ s: DeltaState, base: Mark, to emit: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        let records = s.records.ownRecords
        try checksummed(to: emit) { (w: inout ByteWriter, _, flush) throws(E) in
            w.u32(journalMagic)
            w.u32(1)
            w.u64(base.nextOffset)
            digest(base.lastHash, into: &w)
            header(s, into: &w)
            w.u64(UInt64(records.count))
            let written = try writeRecords(records, rowversions: true, into: &w, flush: flush)
            precondition(written == records.count, "journal record count mismatch")
        }
    }

    /// Hands a whole snapshot of `s` to `emit`.
    private static func streamSnapshot<E: Error>(_ s: DeltaState, to emit: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        let table = s.records.flattened()
        let storage = table.storage
        try checksummed(to: emit) { (w: inout ByteWriter, pass, flush) throws(E) in
            w.u32(magic)
            w.u32(2)
            header(s, into: &w)
            w.u64(UInt64(table.count))
            w.u64(UInt64(storage.capacity))
            try flush(&w)
            var start = 0
            while start < storage.capacity {
                let n = min(1 << 20, storage.capacity - start)
                try pass(UnsafeRawBufferPointer(start: storage.tags + start, count: n))
                start += n
            }
            var withRowversion: [XXH128] = []
            let written = try writeSlots(storage, into: &w, flush: flush) { withRowversion.append($0) }
            precondition(written == table.count, "snapshot record count mismatch")
            w.u64(UInt64(withRowversion.count))
            for id in withRowversion {
                w.u64(id.high)
                w.u64(id.low)
                string(table.rowversions[id] ?? "", into: &w)
            }
        }
    }

    /// The header fields after the magic and version (and a journal's base).
    private static func header(_ s: DeltaState, into w: inout ByteWriter) {
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
    }

    /// Writes `records` into `w` a block at a time, flushing after each, and returns how many there
    /// were; `each` sees every record. In place: a million records through the checked appends took
    /// 0.2 s, and one buffer for all of them cost a page fault per 4 KiB.
    private static func writeRecords<Records: Sequence, E: Error>(
        _ records: Records, rowversions: Bool, into w: inout ByteWriter, flush: (inout ByteWriter) throws(E) -> Void,
        each: ((key: XXH128, value: RecordState)) -> Void = { _ in }
    ) throws(E) -> Int where Records.Element == (key: XXH128, value: RecordState) {
        var written = 0
        var block: [(key: XXH128, value: RecordState)] = []
        block.reserveCapacity(blockRecords)
        var iterator = records.makeIterator()
        while true {
            block.removeAll(keepingCapacity: true)
            while block.count < blockRecords, let r = iterator.next() {
                block.append(r)
                each(r)
            }
            if block.isEmpty { return written }
            written += block.count
            append(block, to: &w, rowversions: rowversions)
            try flush(&w)
        }
    }

    /// Writes the records of `storage` into `w` in slot order, each record's fixed part straight from
    /// its slot, a block at a time, flushing after each; returns how many there were and calls
    /// `rowversion` with each one that has a rowversion. A million records through the table's
    /// iterator (a ``RecordState`` each) took about 85 ms at the end of a backfill.
    private static func writeSlots<E: Error>(
        _ storage: RecordTable.Storage, into w: inout ByteWriter, flush: (inout ByteWriter) throws(E) -> Void,
        rowversion: (XXH128) -> Void
    ) throws(E) -> Int {
        var written = 0
        var slot = 0
        while slot < storage.capacity {
            let end = min(storage.capacity, slot + blockRecords)
            var n = 0
            for i in slot..<end where storage.tags[i] != 0 { n += 1 }
            let start = w.bytes.count
            w.bytes.append(contentsOf: repeatElement(0, count: n * recordBytes))
            w.bytes.withUnsafeMutableBytes { out in
                var p = out.baseAddress! + start
                for i in slot..<end where storage.tags[i] != 0 {
                    let s = storage.slots + i
                    // The slot's flags are the snapshot's: 1 deleted, 2 has a rowversion.
                    putFixedPart(&p, high: s.pointee.high, low: s.pointee.low, entity: s.pointee.entity, flags: s.pointee.flags,
                                 dataHash: s.pointee.dataHash, offset: s.pointee.offset)
                    if s.pointee.flags & RecordTable.Slot.hasRowversion != 0 { rowversion(XXH128(high: s.pointee.high, low: s.pointee.low)) }
                }
                precondition(p == out.baseAddress! + start + n * recordBytes, "snapshot records sized wrongly")
            }
            written += n
            slot = end
            try flush(&w)
        }
        return written
    }

    /// Records per block of ``writeRecords(_:rowversions:into:flush:each:)``: about 1 MiB.
    private static let blockRecords = 16_384

    /// The records' fixed parts, each followed by its rowversion string when `rowversions` (a journal).
    private static func append(_ records: [(key: XXH128, value: RecordState)], to w: inout ByteWriter, rowversions: Bool) {
        var size = 0
        for (_, r) in records { size += recordBytes + (rowversions ? r.rowversion.map { 4 + $0.utf8.count } ?? 0 : 0) }
        let start = w.bytes.count
        w.bytes.append(contentsOf: repeatElement(0, count: size))
        w.bytes.withUnsafeMutableBytes { out in
            var p = out.baseAddress! + start
            for (id, r) in records {
                putFixedPart(&p, high: id.high, low: id.low, entity: r.entity, flags: (r.deleted ? 1 : 0) | (r.rowversion == nil ? 0 : 2),
                             dataHash: r.dataHash, offset: r.offset)
                if rowversions, var rv = r.rowversion {
                    rv.withUTF8 { u in
                        p.storeBytes(of: UInt32(u.count).littleEndian, as: UInt32.self)
                        if let b = u.baseAddress { (p + 4).copyMemory(from: b, byteCount: u.count) }
                        p += 4 + u.count
                    }
                }
            }
            precondition(p == out.baseAddress! + start + size, "snapshot records sized wrongly")
        }
    }

    /// A record's fixed part: id, entity, flags, data hash, offset.
    private static let recordBytes = RecordTableImage.recordBytes

    /// Writes a record's fixed part (``recordBytes``) at `p` and moves `p` past it.
    @inline(__always)
    private static func putFixedPart(
        _ p: inout UnsafeMutableRawPointer, high: UInt64, low: UInt64, entity: UInt16, flags: UInt8, dataHash: Digest32, offset: UInt64
    ) {
        func put(_ v: UInt64) {
            p.storeBytes(of: v.littleEndian, as: UInt64.self)
            p += 8
        }
        put(high)
        put(low)
        p.storeBytes(of: entity.littleEndian, as: UInt16.self)
        p.storeBytes(of: flags, toByteOffset: 2, as: UInt8.self)
        p += 3
        put(dataHash.w0); put(dataHash.w1); put(dataHash.w2); put(dataHash.w3)
        put(offset)
    }

    /// Nil when the bytes are not a whole, undamaged snapshot.
    public static func decode(_ bytes: [UInt8]) -> DeltaState? {
        let copy = OwnedBytes(bytes)
        return decode(copy.raw, magic: magic, owner: copy)?.state
    }

    /// A copy of bytes that a decoded state may keep reading.
    private final class OwnedBytes {
        private let bytes: UnsafeMutableRawBufferPointer
        let raw: UnsafeRawBufferPointer
        init(_ b: [UInt8]) {
            let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(b.count, 1), alignment: 16)
            b.withUnsafeBytes { bytes.copyMemory(from: $0) }
            self.bytes = bytes
            raw = UnsafeRawBufferPointer(rebasing: bytes[..<b.count])
        }
        deinit { bytes.deallocate() }
    }

    /// The snapshot a journal extends and the journal's contents (as a partial state); nil when the
    /// bytes are not a whole, undamaged journal.
    static func decodeJournal(_ bytes: [UInt8]) -> (base: Mark, journal: DeltaState)? {
        guard let (base, state) = bytes.withUnsafeBytes({ decode($0, magic: journalMagic, owner: nil) }), let base else { return nil }
        return (base, state)
    }

    /// What a snapshot or journal holds before its records.
    private struct Header {
        /// A journal's snapshot.
        var base: Mark?
        var mark: Mark
        var entities: [String]
        var cursors: [String: SourceCursor]
        var version: UInt32
    }

    private static func header(_ r: inout ByteReader, magic expected: UInt32) throws(FormatError) -> Header? {
        guard try r.u32() == expected else { return nil }
        let version = try r.u32()
        guard version == 1 || (version == 2 && expected == magic) else { return nil }
        var base: Mark? = nil
        if expected == journalMagic { base = Mark(nextOffset: try r.u64(), lastHash: Digest32(try r.bytes(32))) }
        let mark = Mark(nextOffset: try r.u64(), lastHash: Digest32(try r.bytes(32)))
        var entities: [String] = []
        for _ in 0..<(try r.u32()) { entities.append(try string(&r)) }
        var cursors: [String: SourceCursor] = [:]
        for _ in 0..<(try r.u32()) {
            let source = try string(&r)
            var values: [String: String] = [:]
            for _ in 0..<(try r.u32()) { values[try string(&r)] = try string(&r) }
            cursors[source] = SourceCursor(values)
        }
        return Header(base: base, mark: mark, entities: entities, cursors: cursors, version: version)
    }

    /// `owner` keeps `raw` alive for as long as a version 2 snapshot's records are read in place.
    private static func decode(_ raw: UnsafeRawBufferPointer, magic expected: UInt32, owner: AnyObject?) -> (base: Mark?, state: DeltaState)? {
        guard raw.count >= 4 + 4 + 8 + 32 + 4 else { return nil }
        let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)])
        guard CRC32C.checksum(body) == raw.loadUnaligned(fromByteOffset: raw.count - 4, as: UInt32.self).littleEndian else { return nil }
        var r = ByteReader(body)
        do {
            guard let h = try header(&r, magic: expected) else { return nil }
            var s = DeltaState()
            for e in h.entities { _ = s.entityID(e) }
            for (source, cursor) in h.cursors { s.applyCheckpoint(source: source, cursor: cursor) }
            if h.version == 2 {
                let n = try r.u64(), capacity = try r.u64()
                guard n <= capacity, capacity <= UInt64(r.remaining), n <= UInt64(r.remaining / recordBytes) else { return nil }
                let tags = try r.bytes(Int(capacity))
                let records = try r.bytes(Int(n) * recordBytes)
                var rowversions: [XXH128: String] = [:]
                for _ in 0..<(try r.u64()) {
                    let id = XXH128(high: try r.u64(), low: try r.u64())
                    rowversions[id] = try string(&r)
                }
                guard r.isAtEnd, let owner, let image = RecordTableImage(owner: owner, tags: tags, records: records, count: Int(n),
                                                              entities: s.entities.count, rowversions: rowversions) else { return nil }
                s.restore(image: image)
                s.advance(to: h.mark.nextOffset, lastHash: h.mark.lastHash)
                return (h.base, s)
            }
            let n = try r.u64()
            s.reserveRecords(Int(n))
            let entities = s.entities.count
            for _ in 0..<n {
                // The fixed part in one bounds check, read in place.
                let f = try r.bytes(recordBytes)
                let id = XXH128(high: f.loadUnaligned(as: UInt64.self).littleEndian,
                                low: f.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian)
                let entity = f.loadUnaligned(fromByteOffset: 16, as: UInt16.self).littleEndian
                let flags = f[18]
                let offset = f.loadUnaligned(fromByteOffset: 51, as: UInt64.self).littleEndian
                let rv = flags & 2 != 0 ? try string(&r) : nil
                guard Int(entity) < entities else { return nil }
                s.restore(id, entity: entity, deleted: flags & 1 != 0, dataHash: Digest32(f, at: 19), rowversion: rv, offset: offset)
            }
            guard r.isAtEnd else { return nil }
            s.advance(to: h.mark.nextOffset, lastHash: h.mark.lastHash)
            return (h.base, s)
        } catch {
            return nil
        }
    }

    /// Saves the state: as a journal over the snapshot it was loaded from when few records changed
    /// since, else as a whole snapshot; not at all when it is the state the files held when it was
    /// loaded from them (nothing appended since).
    ///
    /// Each file is written under a temporary name and renamed into place, without fsync: the files
    /// are a cache that a load checks, so after an OS crash a file left missing, empty, cut short or
    /// older costs only a replay from the log. The fsyncs took about 70 ms of a 1M-record backfill.
    public static func save(_ s: DeltaState, directory: String) throws(LogError) {
        guard !s.holdsFailedCommit else {
            throw LogError(.invalidArgument, "the delta state holds events of a failed commit; the next run reads them from the log instead")
        }
        if let saved = s.savedAt, saved == Mark(nextOffset: s.nextOffset, lastHash: s.lastHash) { return }
        if let mark = s.snapshotMark, s.journalsOwnRecords, access(path(directory: directory), F_OK) == 0 {
            try FileBytes.writeAtomically(to: journalPath(directory: directory), durable: false) { (emit) throws(LogError) in
                try streamJournal(s, base: mark, to: emit)
            }
            return
        }
        try FileBytes.writeAtomically(to: path(directory: directory), durable: false) { (emit) throws(LogError) in
            try streamSnapshot(s, to: emit)
        }
        unlink(journalPath(directory: directory))
    }

    /// The state at `head`: the snapshot (and its journal) if it belongs to this log, plus the events
    /// after it; else a rebuild from offset 0. `rebuilt` says which happened.
    public static func load(
        directory: String, head: UInt64, progress: ((UInt64, UInt64) -> Void)? = nil
    ) throws(LogError) -> (state: DeltaState, rebuilt: Bool) {
        // Whether the log's event before `nextOffset` has `lastHash`; one reader for the snapshot and its journal.
        var reader: LogReader?
        func matches(_ nextOffset: UInt64, _ lastHash: Digest32) throws(LogError) -> Bool {
            guard nextOffset > 0 else { return lastHash == .zero }
            if reader == nil { reader = try LogReader(directory: directory) }
            return try reader!.event(at: nextOffset - 1)?.hash == lastHash
        }
        // Mapped, not read: the snapshot of a million records is 75 MB.
        if let file = MappedFile(path: path(directory: directory)), var s = decode(file.bytes, magic: magic, owner: file)?.state, s.nextOffset <= head,
           try matches(s.nextOffset, s.lastHash) {
            let mark = Mark(nextOffset: s.nextOffset, lastHash: s.lastHash)
            // A version 1 snapshot (no image) is written again whole, as version 2, at the next save.
            let image = s.records.image != nil
            let journalBytes = FileBytes.read(journalPath(directory: directory))
            var journalApplied = false
            if let bytes = journalBytes, let (base, journal) = decodeJournal(bytes),
               base == mark, journal.nextOffset >= mark.nextOffset, journal.nextOffset <= head,
               try matches(journal.nextOffset, journal.lastHash) {
                s.merge(journal: journal)
                journalApplied = true
            }
            s.snapshotMark = mark
            s.journalsOwnRecords = image
            // The files hold this very state when nothing was replayed and no journal was left aside.
            if image && s.nextOffset == head && (journalApplied || journalBytes == nil) {
                s.savedAt = Mark(nextOffset: s.nextOffset, lastHash: s.lastHash)
            }
            try s.catchUp(directory: directory, to: head, progress: progress)
            return (s, false)
        }
        var s = DeltaState()
        try s.catchUp(directory: directory, to: head, progress: progress)
        return (s, true)
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
