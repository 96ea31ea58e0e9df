#if canImport(Glibc)
import Glibc
#endif
import LedgerCore
import LedgerLog
import LedgerTestKit
import Logging
import Testing

@Suite struct DeltaStateTests {
    let logger = Logger(label: "test")

    func sale(_ id: Int, total: String, op: EventOp = .upsert) throws -> NewEvent {
        try NewEvent(op: op, source: "pos", entity: "sales", keyFields: ["sale_id"],
                     fields: [Field("sale_id", .integer(Int64(id))), Field("total", op == .delete ? .null : .decimal(LedgerDecimal(total)!))])
    }

    @Test func classifiesAgainstTheNewestEventOfEachRecord() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try LogWriter(directory: dir.path, logger: logger)
        defer { writer.close() }
        try writer.append([try sale(1, total: "10"), try sale(2, total: "20"), try sale(1, total: "11")])
        try writer.append([try sale(2, total: "20", op: .delete), try SourceCursor(["last_id": "7"]).checkpointEvent(source: "pos")])

        let state = try DeltaState.load(from: writer)
        #expect(state.nextOffset == 5)
        #expect(state.cursors["pos"] == SourceCursor(["last_id": "7"]))
        #expect(state.liveCount(of: "sales") == 1)

        let e1 = try sale(1, total: "11"), e1b = try sale(1, total: "12"), e2 = try sale(2, total: "20"), e3 = try sale(3, total: "1")
        func kind(_ e: NewEvent) -> DeltaKind {
            state.classify(upsert: e.recordID, dataHash: EventIdentity.dataHash(of: e), rowversion: nil, strategy: .hash)
        }
        #expect(kind(e1) == .unchanged)
        #expect(kind(e1b) == .updated)
        #expect(kind(e2) == .new)       // deleted records come back as new
        #expect(kind(e3) == .new)
        #expect(state.classify(delete: e1.recordID) == .deleted)
        #expect(state.classify(delete: e2.recordID) == .alreadyGone)
    }

    @Test func rowversionStrategyTrustsEqualRowversions() throws {
        var state = DeltaState()
        let rid = XXH128(high: 1, low: 2)
        var d = Digest32()
        d.w0 = 9
        state.applyAppended(recordID: rid, entity: "x", op: .upsert, dataHash: d, rowversion: "5", offset: 0)
        #expect(state.classify(upsert: rid, dataHash: .zero, rowversion: "5", strategy: .rowversion) == .unchanged)
        #expect(state.classify(upsert: rid, dataHash: .zero, rowversion: "6", strategy: .rowversion) == .updated)
        #expect(state.classify(upsert: rid, dataHash: .zero, rowversion: "5", strategy: .hash) == .updated)
        #expect(state.classify(upsert: rid, dataHash: d, rowversion: nil, strategy: .rowversion) == .unchanged)
    }

    @Test func snapshotRoundTripsAndIsCheckedAgainstTheLog() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try LogWriter(directory: dir.path, logger: logger)
        defer { writer.close() }
        try writer.append((1...50).map { try sale($0, total: "\($0).5") })
        try writer.append([try SourceCursor(["last_id": "50", "gaps": ""]).checkpointEvent(source: "pos")])
        let state = try DeltaState.load(from: writer)
        try DeltaStateSnapshot.save(state, directory: dir.path)

        // More events after the snapshot: loading replays only those.
        try writer.append([try sale(7, total: "0", op: .delete), try sale(51, total: "1")])
        let (loaded, rebuilt) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        #expect(!rebuilt)
        let full = try DeltaState.load(from: writer)
        #expect(loaded.nextOffset == full.nextOffset)
        #expect(loaded.lastHash == full.lastHash)
        #expect(loaded.records == full.records)
        #expect(loaded.cursors == full.cursors)
        #expect(loaded.liveCount(of: "sales") == 50)

        // A damaged snapshot is ignored: the state is rebuilt and still equal.
        var bytes = try #require(FileBytes.read(DeltaStateSnapshot.path(directory: dir.path)))
        bytes[bytes.count / 2] ^= 0x40
        #expect(DeltaStateSnapshot.decode(bytes) == nil)
        try FileBytes.writeAtomically(bytes, to: DeltaStateSnapshot.path(directory: dir.path))
        let (again, rebuiltAgain) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        #expect(rebuiltAgain)
        #expect(again.records == full.records)
    }

    /// A state of several blocks of records (some deleted, some with rowversions of any length) is
    /// written in pieces and reads back whole; the file holds the same bytes as the in-memory encoding.
    @Test func aSnapshotOfManyBlocksRoundTrips() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var state = DeltaState()
        for i in 0..<40_000 {
            let rowversion: String? = i % 3 == 0 ? String(repeating: "v", count: i % 200) : nil
            state.applyAppended(recordID: XXH128(high: UInt64(i) &* 0x9E37_79B9_7F4A_7C15, low: UInt64(i)), entity: i % 2 == 0 ? "sales" : "receipts",
                                op: i % 7 == 0 ? .delete : .upsert, dataHash: Digest32(hex: String(repeating: String(String(i % 200 + 16, radix: 16)), count: 32))!,
                                rowversion: rowversion, offset: UInt64(i))
        }
        state.applyCheckpoint(source: "pos", cursor: SourceCursor(["last_id": "40000"]))
        state.advance(to: 40_000, lastHash: Digest32(hex: String(repeating: "07", count: 32))!)
        try DeltaStateSnapshot.save(state, directory: dir.path)
        let bytes = try #require(FileBytes.read(DeltaStateSnapshot.path(directory: dir.path)))
        #expect(bytes == DeltaStateSnapshot.encode(state))
        let back = try #require(DeltaStateSnapshot.decode(bytes))
        #expect(back.records == state.records)
        #expect(back.cursors == state.cursors)
        #expect(back.nextOffset == 40_000)
        #expect(back.entities == state.entities)
        #expect(back.liveCount(of: "sales") == state.liveCount(of: "sales"))

        // An empty state: the header alone, then the CRC.
        let empty = DeltaStateSnapshot.encode(DeltaState())
        #expect(DeltaStateSnapshot.decode(empty)?.records.count == 0)
    }

    @Test func aSnapshotOfAnotherLogIsIgnored() throws {
        let a = TemporaryDirectory(), b = TemporaryDirectory()
        defer { a.remove(); b.remove() }
        let wa = try LogWriter(directory: a.path, logger: logger)
        try wa.append([try sale(1, total: "1"), try sale(2, total: "2")])
        try DeltaStateSnapshot.save(try DeltaState.load(from: wa), directory: b.path)
        wa.close()
        let wb = try LogWriter(directory: b.path, logger: logger)
        defer { wb.close() }
        try wb.append([try sale(1, total: "9"), try sale(3, total: "3")])
        let (state, rebuilt) = try DeltaStateSnapshot.load(directory: b.path, head: wb.head.nextOffset)
        #expect(rebuilt)
        #expect(state.records == (try DeltaState.load(from: wb)).records)
    }

    @Test func aSaveAfterALoadWritesAJournalOverTheSnapshot() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try LogWriter(directory: dir.path, logger: logger)
        defer { writer.close() }
        let snapshotPath = DeltaStateSnapshot.path(directory: dir.path)
        let journalPath = DeltaStateSnapshot.journalPath(directory: dir.path)
        try writer.append((1...40).map { try sale($0, total: "\($0)") })
        try DeltaStateSnapshot.save(try DeltaState.load(from: writer), directory: dir.path)
        let snapshot = try #require(FileBytes.read(snapshotPath))
        #expect(FileBytes.read(journalPath) == nil)

        // Loaded from the snapshot, changed, saved: a journal, the snapshot untouched.
        try writer.append([try sale(3, total: "0", op: .delete), try sale(41, total: "41"), try sale(5, total: "5.5")])
        try writer.append([try SourceCursor(["last_id": "43"]).checkpointEvent(source: "pos")])
        let (loaded, _) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        try DeltaStateSnapshot.save(loaded, directory: dir.path)
        #expect(FileBytes.read(snapshotPath) == snapshot)
        let journal = try #require(FileBytes.read(journalPath))
        #expect(journal.count < snapshot.count)

        // Snapshot plus journal is the whole state, and later events replay on top.
        try writer.append([try sale(7, total: "77")])
        let full = try DeltaState.load(from: writer)
        let (again, rebuilt) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        #expect(!rebuilt)
        #expect(again.records == full.records)
        #expect(again.cursors == full.cursors)
        #expect(again.nextOffset == full.nextOffset)
        #expect(again.lastHash == full.lastHash)

        // The next save carries every change since the snapshot, so one journal is always enough.
        try DeltaStateSnapshot.save(again, directory: dir.path)
        let (third, _) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        #expect(third.records == full.records)

        // A damaged journal is ignored: the events after the snapshot come from the log instead.
        var damaged = try #require(FileBytes.read(journalPath))
        damaged[damaged.count / 2] ^= 0x01
        try FileBytes.writeAtomically(damaged, to: journalPath)
        let (fromLog, rebuiltFromZero) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        #expect(!rebuiltFromZero)
        #expect(fromLog.records == full.records)
        #expect(fromLog.cursors == full.cursors)
    }

    /// Snapshots and journals are saved without fsync (they are a cache). After an OS crash either
    /// file may be missing, empty, cut short anywhere, or still the one before: every such load is
    /// the state the log gives.
    @Test func whatAnOSCrashCanLeaveOfAnUnsyncedSaveLoadsAsTheLogSays() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try logWithAJournal(dir)
        defer { writer.close() }
        try writer.append([try sale(4, total: "0", op: .delete), try sale(12, total: "12")])
        let full = try DeltaState.load(from: writer)
        let snapshotPath = DeltaStateSnapshot.path(directory: dir.path)
        let journalPath = DeltaStateSnapshot.journalPath(directory: dir.path)
        let snapshot = try #require(FileBytes.read(snapshotPath))
        let journal = try #require(FileBytes.read(journalPath))
        let olderDir = TemporaryDirectory()
        defer { olderDir.remove() }
        let older = try LogWriter(directory: olderDir.path, logger: logger)
        try older.append((1...3).map { try sale($0, total: "9") })
        try DeltaStateSnapshot.save(try DeltaState.load(from: older), directory: olderDir.path)
        older.close()
        let foreign = try #require(FileBytes.read(DeltaStateSnapshot.path(directory: olderDir.path)))

        func cuts(_ b: [UInt8]) -> [[UInt8]?] {
            [nil, [], Array(b.prefix(1)), Array(b.prefix(b.count / 3)), Array(b.prefix(b.count - 4)), Array(b.dropLast())]
        }
        var loads = 0
        for s in cuts(snapshot) + [snapshot, foreign] {
            for j in cuts(journal) + [journal] {
                unlink(snapshotPath)
                unlink(journalPath)
                if let s { try FileBytes.writeAtomically(s, to: snapshotPath) }
                if let j { try FileBytes.writeAtomically(j, to: journalPath) }
                let (loaded, _) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
                #expect(loaded.records == full.records, "snapshot \(s?.count ?? -1) bytes, journal \(j?.count ?? -1) bytes")
                #expect(loaded.nextOffset == full.nextOffset && loaded.lastHash == full.lastHash)
                loads += 1
            }
        }
        #expect(loads == 8 * 7)
    }

    /// A log of sales 1-10 saved as a whole snapshot, then sale 11 appended, loaded and saved as a journal.
    func logWithAJournal(_ dir: TemporaryDirectory) throws -> LogWriter {
        let writer = try LogWriter(directory: dir.path, logger: logger)
        try writer.append((1...10).map { try sale($0, total: "1") })
        try DeltaStateSnapshot.save(try DeltaState.load(from: writer), directory: dir.path)
        try writer.append([try sale(11, total: "11")])
        let (loaded, _) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        try DeltaStateSnapshot.save(loaded, directory: dir.path)
        return writer
    }

    @Test func aJournalOverAnotherSnapshotIsIgnored() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try logWithAJournal(dir)
        defer { writer.close() }
        let journal = try #require(FileBytes.read(DeltaStateSnapshot.journalPath(directory: dir.path)))

        // A newer whole snapshot replaces the one the journal extends (and removes the journal);
        // the old journal put back beside it is ignored.
        try writer.append([try sale(1, total: "2")])
        try DeltaStateSnapshot.save(try DeltaState.load(from: writer), directory: dir.path)
        #expect(FileBytes.read(DeltaStateSnapshot.journalPath(directory: dir.path)) == nil)
        try FileBytes.writeAtomically(journal, to: DeltaStateSnapshot.journalPath(directory: dir.path))
        let (state, rebuilt) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        #expect(!rebuilt)
        #expect(state.records == (try DeltaState.load(from: writer)).records)
    }

    @Test func manyChangesSaveAWholeSnapshotAndDropTheJournal() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try logWithAJournal(dir)
        defer { writer.close() }
        #expect(FileBytes.read(DeltaStateSnapshot.journalPath(directory: dir.path)) != nil)

        // More changes than the journal takes (at least 16,384): a whole snapshot again.
        for start in stride(from: 100, to: 17_100, by: 1000) {
            try writer.append((start..<(start + 1000)).map { try sale($0, total: "2") })
        }
        let (big, _) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        try DeltaStateSnapshot.save(big, directory: dir.path)
        #expect(FileBytes.read(DeltaStateSnapshot.journalPath(directory: dir.path)) == nil)
        let snapshot = try #require(FileBytes.read(DeltaStateSnapshot.path(directory: dir.path)))
        let whole = try #require(DeltaStateSnapshot.decode(snapshot))
        #expect(whole.nextOffset == writer.head.nextOffset)
        #expect(whole.records == (try DeltaState.load(from: writer)).records)
    }

    /// The inode of the file at `path` (a save replaces the file, so a new inode means it was written).
    func inode(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    @Test func aStateLoadedWithNothingNewIsNotWrittenAgain() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try logWithAJournal(dir)
        defer { writer.close() }
        let snapshotPath = DeltaStateSnapshot.path(directory: dir.path)
        let journalPath = DeltaStateSnapshot.journalPath(directory: dir.path)
        let (snapshot, journal) = (inode(snapshotPath), inode(journalPath))
        #expect(snapshot != nil && journal != nil)

        // Loaded and saved with nothing appended: neither file is written.
        let (same, _) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        try DeltaStateSnapshot.save(same, directory: dir.path)
        #expect(inode(snapshotPath) == snapshot)
        #expect(inode(journalPath) == journal)

        // A change since the load: the journal is written.
        var changed = same
        try writer.append([try sale(12, total: "12")])
        changed.apply(try #require(try LogReader(directory: dir.path).event(at: writer.head.nextOffset - 1)))
        try DeltaStateSnapshot.save(changed, directory: dir.path)
        #expect(inode(journalPath) != journal)

        // A damaged journal is left aside by the load, so the next save writes a good one.
        var bytes = try #require(FileBytes.read(journalPath))
        bytes[bytes.count / 2] ^= 0x01
        try FileBytes.writeAtomically(bytes, to: journalPath)
        let (rebuilt, _) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        try DeltaStateSnapshot.save(rebuilt, directory: dir.path)
        let (again, _) = try DeltaStateSnapshot.load(directory: dir.path, head: writer.head.nextOffset)
        #expect(again.records == (try DeltaState.load(from: writer)).records)
        #expect(FileBytes.read(journalPath) != bytes)
    }
}
