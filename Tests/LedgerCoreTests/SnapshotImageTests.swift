#if canImport(Glibc)
import Glibc
#endif
import LedgerCore
import LedgerLog
import LedgerTestKit
import Logging
import Testing

/// A snapshot's records read in place (``RecordTable`` over a snapshot image) behave as a table
/// built in memory, and an image that is not whole is refused.
@Suite struct SnapshotImageTests {
    let logger = Logger(label: "test")

    /// Ids that spread like XXH3 output (a SplitMix64 sequence).
    func id(_ i: UInt64) -> XXH128 {
        var z = i &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return XXH128(high: i, low: z ^ (z >> 31))
    }

    func hash(_ n: UInt64) -> Digest32 {
        var d = Digest32()
        (d.w0, d.w1, d.w2, d.w3) = (n, ~n, n &* 31, 7)
        return d
    }

    func set(_ s: inout DeltaState, _ i: UInt64, version: UInt64 = 0, deleted: Bool = false, rowversion: String? = nil) {
        s.applyAppended(recordID: id(i), entity: i % 2 == 0 ? "sales" : "receipts", op: deleted ? .delete : .upsert,
                        dataHash: hash(i &+ version), rowversion: rowversion, offset: i &+ version)
    }

    /// 20,000 records, some deleted, some with rowversions, at a capacity that needs the table's
    /// probing to wrap: the decoded state reads them in place.
    func saved() -> DeltaState {
        var s = DeltaState()
        for i in 0..<20_000 as Range<UInt64> { set(&s, i, deleted: i % 13 == 0, rowversion: i % 7 == 0 ? "rv\(i)" : nil) }
        s.applyCheckpoint(source: "pos", cursor: SourceCursor(["last_id": "20000"]))
        s.advance(to: 20_000, lastHash: hash(99))
        return s
    }

    @Test func recordsSetOverAnImageReadAsATableBuiltInMemory() throws {
        var memory = saved()
        var image = try #require(DeltaStateSnapshot.decode(DeltaStateSnapshot.encode(memory)))
        #expect(image.records == memory.records)
        #expect(image.records.setSinceLoad == 0)
        #expect(image.liveCount(of: "sales") == memory.liveCount(of: "sales"))

        // Overwrites (rowversions dropped and added, deletes flipped) and new records, on both.
        for i in stride(from: 0, to: 20_000, by: 5) as StrideTo<UInt64> {
            let rv: String? = i % 7 == 0 ? nil : "new\(i)"
            set(&memory, i, version: 1_000_000, deleted: i % 2 == 1, rowversion: rv)
            set(&image, i, version: 1_000_000, deleted: i % 2 == 1, rowversion: rv)
        }
        for i in 20_000..<23_000 as Range<UInt64> {
            set(&memory, i)
            set(&image, i)
        }
        #expect(image.records.count == 23_000)
        #expect(image.records.setSinceLoad == 4_000 + 3_000)
        #expect(image.records == memory.records)
        for i in [0, 5, 7, 14, 35, 19_999, 20_000, 22_999] as [UInt64] { #expect(image.record(id(i)) == memory.record(id(i))) }
        #expect(image.record(id(23_000)) == nil)
        #expect(Set(image.records.keys) == Set(memory.records.keys))
        #expect(image.classify(upsert: id(3), dataHash: hash(3), rowversion: nil, strategy: .hash) == .unchanged)
        #expect(image.classify(upsert: id(5), dataHash: hash(5), rowversion: nil, strategy: .hash) == .new)

        // A whole snapshot of the layered table reads back the same.
        let again = try #require(DeltaStateSnapshot.decode(DeltaStateSnapshot.encode(image)))
        #expect(again.records == memory.records)
        #expect(again.records.setSinceLoad == 0)
    }

    @Test func aSnapshotImageThatIsNotWholeIsRefused() throws {
        let bytes = DeltaStateSnapshot.encode(saved())
        #expect(DeltaStateSnapshot.decode(bytes) != nil)
        // Where the tags start: after the header (magic, version, offset, hash, entities, cursor) and the two counts.
        let header = 4 + 4 + 8 + 32 + 4 + (4 + 5) + (4 + 8) + 4 + (4 + 3) + 4 + (4 + 7) + (4 + 5) + 8 + 8
        let capacity = Int(bytes[header - 8]) | Int(bytes[header - 7]) << 8 | Int(bytes[header - 6]) << 16
        #expect(capacity == 32_768)
        let slot = try #require((header..<(header + capacity)).first { bytes[$0] != 0 })
        let records = header + capacity

        func resealed(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var b = bytes
            change(&b)
            let crc = CRC32C.checksum(Array(b[..<(b.count - 4)]))
            for k in 0..<4 { b[b.count - 4 + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
            return b
        }
        // Checksums that hold over tables that do not: a slot emptied, a tag without its top bit,
        // an entity the header does not name, a record count above the tags'.
        #expect(DeltaStateSnapshot.decode(resealed { $0[slot] = 0 }) == nil)
        #expect(DeltaStateSnapshot.decode(resealed { $0[slot] = 0x05 }) == nil)
        #expect(DeltaStateSnapshot.decode(resealed { $0[records + 16] = 9 }) == nil)
        #expect(DeltaStateSnapshot.decode(resealed { $0[header - 16] &+= 1 }) == nil)
        #expect(DeltaStateSnapshot.decode(resealed { _ in }) != nil)
    }

    /// A version 1 snapshot (its records listed, as a journal lists them) still loads, and the next
    /// save writes it again whole, as an image.
    @Test func aVersionOneSnapshotStillLoads() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try LogWriter(directory: dir.path, logger: logger)
        defer { writer.close() }
        let sales = (1...30).map { n in
            try! NewEvent(op: .upsert, source: "pos", entity: "sales", keyFields: ["sale_id"],
                          fields: [Field("sale_id", .integer(Int64(n))), Field("total", .decimal(LedgerDecimal("\(n).25")!))])
        }
        try writer.append(Array(sales[..<10]))
        try DeltaStateSnapshot.save(try DeltaState.load(from: writer), directory: dir.path)
        try writer.append(Array(sales[10...]))
        let (loaded, _) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        try DeltaStateSnapshot.save(loaded, directory: dir.path)

        // The journal holds the 20 records after the snapshot in version 1's record list: made into
        // a version 1 snapshot of those records (magic LDST, no base), it loads as one.
        let journal = try #require(FileBytes.read(DeltaStateSnapshot.journalPath(directory: dir.path)))
        var v1 = Array("LDST".utf8) + journal[4..<8] + journal[48..<(journal.count - 4)]
        let crc = CRC32C.checksum(v1)
        for k in 0..<4 { v1.append(UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k)))) }
        let old = try #require(DeltaStateSnapshot.decode(v1))
        #expect(old.records.count == 20)
        #expect(old.nextOffset == writer.head.nextOffset)
        for (id, r) in old.records { #expect(loaded.record(id) == r) }

        // Put in place of the whole snapshot, with the journal gone, the log replays the first ten.
        unlink(DeltaStateSnapshot.journalPath(directory: dir.path))
        try FileBytes.writeAtomically(v1, to: DeltaStateSnapshot.path(directory: dir.path))
        let (fromV1, rebuilt) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        #expect(!rebuilt)
        #expect(fromV1.records.count == 20)
        try writer.append([try NewEvent(op: .upsert, source: "pos", entity: "sales", keyFields: ["sale_id"],
                                        fields: [Field("sale_id", .integer(31)), Field("total", .decimal(LedgerDecimal("1")!))])])
        var grown = fromV1
        grown.apply(try #require(try LogReader(directory: dir.path).event(at: writer.head.nextOffset - 1)))
        try DeltaStateSnapshot.save(grown, directory: dir.path)
        let written = try #require(FileBytes.read(DeltaStateSnapshot.path(directory: dir.path)))
        #expect(written[4] == 2)
        #expect(FileBytes.read(DeltaStateSnapshot.journalPath(directory: dir.path)) == nil)
        let (back, _) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        #expect(back.records == grown.records)
        #expect(back.records.setSinceLoad == 0)

        // Loaded with nothing new, a version 1 snapshot is still written again.
        try FileBytes.writeAtomically(v1, to: DeltaStateSnapshot.path(directory: dir.path))
        let (same, _) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset - 1)
        try DeltaStateSnapshot.save(same, directory: dir.path)
        #expect(try #require(FileBytes.read(DeltaStateSnapshot.path(directory: dir.path)))[4] == 2)
    }
}
