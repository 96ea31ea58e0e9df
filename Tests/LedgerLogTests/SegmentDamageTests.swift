import LedgerLog
import LedgerTestKit
import Testing

/// Single-byte damage in every part of sealed and active segments (SPEC §2, §10): the verifier and
/// readers name the damaged file and place, and a writer refuses or cuts exactly as the recovery rules say.
@Suite struct SegmentDamageTests {
    struct DamageCase: CustomStringConvertible {
        var segment: SegmentLayout
        var isActive: Bool
        var position: Int
        var mask: UInt8
        var part: String
        /// The header, batch or footer the byte belongs to.
        var region: Range<Int>
        var batchIndex: Int?
        var field: String

        var batch: SegmentLayout.Batch? { batchIndex.map { segment.batches[$0] } }
        var description: String { "\(segment.name) byte \(position) (\(part) \(field)) ^ 0x\(String(mask, radix: 16))" }

        /// The batch length after the flip, when the flip hits the length field.
        var damagedLength: Int? {
            guard let b = batch, (4..<8).contains(position - b.position) else { return nil }
            var length = UInt32(b.header.length)
            length ^= UInt32(mask) << (8 * UInt32(position - b.position - 4))
            return Int(length)
        }

        /// SPEC §10: a batch whose length runs past the end of the file reads as a torn tail.
        var readsAsTorn: Bool {
            guard let b = batch, let length = damagedLength else { return false }
            return length >= BatchHeader.size && length > segment.size - b.position
        }

        /// How many events a cursor from offset 0 returns before it reaches the damage.
        var eventsBeforeDamage: UInt64 {
            if let b = batch { return b.header.baseOffset }
            if part == "footer" { return segment.footer!.nextOffset }
            return segment.header.baseOffset
        }
    }

    static let headerFields: [(Int, String)] = [
        (0, "magic"), (7, "magic"), (8, "version"), (10, "flags"), (12, "header length"), (16, "base offset"),
        (24, "creation time"), (32, "previous hash"), (63, "previous hash"), (64, "previous root"), (95, "previous root"),
        (96, "reserved"), (123, "reserved"), (124, "CRC"), (127, "CRC"),
    ]
    static let batchFields: [(Int, UInt8, String)] = [
        (0, 0xFF, "magic"), (3, 0x01, "magic"), (4, 0x01, "length low bit"), (5, 0x80, "length"), (7, 0xFF, "length high byte"),
        (8, 0xFF, "CRC"), (11, 0x01, "CRC"), (12, 0xFF, "count"), (16, 0x01, "base offset"), (23, 0x80, "base offset"),
        (24, 0x01, "first timestamp"), (32, 0x01, "last timestamp"), (39, 0x80, "last timestamp"), (40, 0xFF, "codec"),
        (41, 0x01, "flags"), (42, 0x01, "reserved"), (44, 0x01, "decoded length"), (48, 0x01, "chain head"), (79, 0x80, "chain head"),
    ]
    static let footerFields: [(Int, String)] = [
        (0, "magic"), (3, "magic"), (4, "length"), (8, "base offset"), (16, "event count"), (24, "first timestamp"),
        (32, "last timestamp"), (40, "last hash"), (72, "Merkle root"), (104, "position"), (112, "reserved"), (124, "CRC"), (127, "CRC"),
    ]

    static func cases(_ layouts: [SegmentLayout]) -> [DamageCase] {
        var out: [DamageCase] = []
        for (si, s) in layouts.enumerated() {
            let active = si == layouts.count - 1
            for (p, f) in headerFields {
                out.append(DamageCase(segment: s, isActive: active, position: p, mask: 0xFF, part: "segment header",
                                      region: s.headerRange, batchIndex: nil, field: f))
            }
            for (bi, b) in s.batches.enumerated() {
                var fields = batchFields.map { ($0.0, $0.1, $0.2) }
                let payload = Int(b.header.length) - BatchHeader.size
                fields += [(80, 0xFF, "payload (LZ4 frame magic)"), (80 + payload / 2, 0x04, "payload"), (80 + payload - 1, 0x10, "payload (last byte)")]
                for (p, mask, f) in fields {
                    out.append(DamageCase(segment: s, isActive: active, position: b.position + p, mask: mask,
                                          part: "batch \(bi) of \(s.batches.count)", region: b.range, batchIndex: bi, field: f))
                }
            }
            if let footerPosition = s.footerPosition {
                for (p, f) in footerFields {
                    out.append(DamageCase(segment: s, isActive: active, position: footerPosition + p, mask: 0xFF, part: "footer",
                                          region: s.footerRange!, batchIndex: nil, field: f))
                }
            }
        }
        return out
    }

    static func openWriter(_ directory: String) -> Result<LogWriter, LogError> {
        Result { () throws(LogError) in try LogWriter(directory: directory, configuration: SampleLog.configuration, logger: testLogger()) }
    }


    @Test func theSampleLogHasASealedAndAnActiveSegment() throws {
        let fixture = try SampleLogFixture(prefix: "ledger-damage")
        defer { fixture.root.remove() }
        #expect(fixture.layouts.count == 2)
        #expect(fixture.layouts[0].isSealed)
        #expect(!fixture.layouts[1].isSealed)
        #expect(fixture.layouts[0].batches.count == SampleLog.sealedBatchSizes.count)
        #expect(fixture.layouts[1].batches.count == SampleLog.activeBatchSizes.count)
        let dir = try fixture.copy()
        let report = try LogVerifier(directory: dir, deep: true).verify()
        #expect(report.ok)
        #expect(report.events == UInt64(fixture.log.events.count))
    }

    @Test func theVerifierAndReadersNameEveryDamagedByte() throws {
        let fixture = try SampleLogFixture(prefix: "ledger-damage")
        defer { fixture.root.remove() }
        for c in Self.cases(fixture.layouts) {
            let dir = try fixture.copy()
            defer { TestFiles.removeDirectory(dir) }
            try TestFiles.flip(dir + "/" + c.segment.name, at: c.position, mask: c.mask)

            // The verifier, normal and deep, names the segment and a position inside the damaged header, batch or footer.
            for deep in [false, true] {
                let report = try LogVerifier(directory: dir, deep: deep).verify()
                #expect(!report.ok, "\(c), deep \(deep): verify passed")
                if c.readsAsTorn && c.isActive {
                    #expect(report.tornTail?.file == c.segment.name && report.tornTail?.position == UInt64(c.batch!.position),
                            "\(c), deep \(deep): torn tail \(String(describing: report.tornTail))")
                    #expect(report.problem != nil, "\(c), deep \(deep): HEAD records the torn batch as committed")
                } else {
                    let p = report.problem
                    #expect(p?.code == .damaged && p?.file == c.segment.name && p.flatMap(\.position).map { c.region.contains(Int($0)) } == true,
                            "\(c), deep \(deep): problem \(String(describing: p))")
                }
            }

            // A cursor from 0 returns exactly the events before the damage, unchanged, then throws .damaged.
            var returned: [LogEvent] = []
            var failure: LogError?
            do {
                let cursor = try LogReader(directory: dir).cursor(from: 0)
                while let e = try cursor.next() { returned.append(e) }
            } catch {
                failure = error
            }
            #expect(failure?.code == .damaged && failure?.file == c.segment.name, "\(c): cursor ended with \(String(describing: failure))")
            #expect(UInt64(returned.count) == c.eventsBeforeDamage, "\(c): cursor returned \(returned.count) events")
            for (i, e) in returned.enumerated() where e.offset != UInt64(i) || EventFingerprint.of(e) != EventFingerprint.of(fixture.log.events[i]) {
                Issue.record("\(c): event \(i) read back wrong")
                break
            }
        }
    }

    @Test func aWriterRefusesDamageAndNeverRewritesSegments() throws {
        let fixture = try SampleLogFixture(prefix: "ledger-damage")
        defer { fixture.root.remove() }
        for c in Self.cases(fixture.layouts) {
            let dir = try fixture.copy()
            defer { TestFiles.removeDirectory(dir) }
            try TestFiles.flip(dir + "/" + c.segment.name, at: c.position, mask: c.mask)
            let before = try TestFiles.snapshot(dir, suffix: ".seg")
            switch Self.openWriter(dir) {
            case .success(let writer):
                writer.close()
                // SPEC §10: opening reads sealed segments' headers and footers only, so damage inside a
                // sealed batch is left to the verifier; the sealed segment is not touched.
                #expect(!c.isActive && c.batch != nil, "\(c): the writer opened")
                #expect(try TestFiles.read(dir + "/" + c.segment.name) == before[c.segment.name], "\(c): sealed segment rewritten")
            case .failure(let error):
                #expect(c.isActive || c.batch == nil, "\(c): refused for damage inside a sealed batch: \(error)")
                #expect(error.code == .damaged && error.file == c.segment.name, "\(c): \(error)")
                let expected = c.readsAsTorn ? c.batch!.position..<(c.batch!.position + 1) : c.region
                #expect(error.position.map { expected.contains(Int($0)) } == true, "\(c): refused at \(String(describing: error.position)), expected \(expected)")
                #expect(try TestFiles.snapshot(dir, suffix: ".seg") == before, "\(c): a refusing writer changed a segment")
                if case .failure(let again) = Self.openWriter(dir) {
                    #expect(again.code == .damaged, "\(c): second open: \(again)")
                } else {
                    Issue.record("\(c): a second open succeeded")
                }
            }
        }
    }

    /// With HEAD at the start of the active segment's last batch (that batch was never acknowledged),
    /// a length that runs past the end of the file is a torn tail and is cut; all other damage is refused.
    @Test func anUnacknowledgedLastBatchWithATornLengthIsCutAndEverythingElseRefused() throws {
        let fixture = try SampleLogFixture(prefix: "ledger-damage")
        defer { fixture.root.remove() }
        let active = fixture.layouts.last!
        let last = active.batches.last!
        let staleHead = active.head(atOrBefore: last.position)
        for c in Self.cases(fixture.layouts) where c.isActive && c.batch != nil {
            let dir = try fixture.copy()
            defer { TestFiles.removeDirectory(dir) }
            try TestFiles.flip(dir + "/" + c.segment.name, at: c.position, mask: c.mask)
            try TestFiles.write(staleHead.encoded(), to: dir + "/HEAD")
            let cut = c.readsAsTorn && c.batch!.position == last.position
            switch Self.openWriter(dir) {
            case .success(let writer):
                #expect(cut, "\(c): the writer opened")
                #expect(writer.head == staleHead)
                #expect(TestFiles.size(dir + "/" + active.name) == last.position, "\(c): not cut back to the last whole batch")
                let receipt = try writer.append([SampleLog.event(1000)])
                #expect(receipt.firstOffset == staleHead.nextOffset)
                writer.close()
                let report = try LogVerifier(directory: dir, deep: true).verify()
                #expect(report.ok && report.tornTail == nil, "\(c): \(String(describing: report.problem)) \(report.indexProblems)")
                #expect(report.events == staleHead.nextOffset + 1)
            case .failure(let error):
                #expect(!cut, "\(c): refused a torn, unacknowledged tail: \(error)")
                #expect(error.code == .damaged && error.file == c.segment.name, "\(c): \(error)")
                let expected = c.readsAsTorn ? c.batch!.position..<(c.batch!.position + 1) : c.region
                #expect(error.position.map { expected.contains(Int($0)) } == true, "\(c): refused at \(String(describing: error.position))")
            }
        }
    }
}
