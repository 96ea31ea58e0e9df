import LedgerLog
import LedgerTestKit
import Testing

/// What `ledger verify` checks of a sealed segment's Merkle root with and without `--deep`
/// (log-format/SPEC.md §10): the normal verify checks the footer's CRC and the root's link to the next
/// segment header as stored; only the deep verify recomputes the root from the events.
@Suite struct VerifyDepthTests {
    /// Writes `root` into the sealed segment's footer and, when `relink` is set, into the next segment
    /// header's previous-root field, fixing up both CRCs: damage that no CRC can see.
    static func rewriteRoot(_ fixture: SampleLogFixture, in dir: String, relink: Bool) throws -> (footer: Int, root: Digest32) {
        let sealed = fixture.layouts[0]
        let footerAt = sealed.footerPosition!
        var root = sealed.footer!.root
        root.w0 ^= 0x5A
        var footer = sealed.footer!
        footer.root = root
        var bytes = try TestFiles.read(dir + "/" + sealed.name)
        bytes.replaceSubrange(footerAt..<(footerAt + SegmentFooter.size), with: footer.encoded())
        try TestFiles.write(bytes, to: dir + "/" + sealed.name)
        if relink {
            let next = fixture.layouts[1]
            var header = next.header
            header.previousRoot = root
            var nextBytes = try TestFiles.read(dir + "/" + next.name)
            nextBytes.replaceSubrange(0..<SegmentHeader.size, with: header.encoded())
            try TestFiles.write(nextBytes, to: dir + "/" + next.name)
        }
        return (footerAt, root)
    }

    @Test func aFlippedByteInAFootersMerkleRootFailsTheFooterCRCInTheNormalVerify() throws {
        let fixture = try SampleLogFixture(prefix: "ledger-verify-depth")
        defer { fixture.root.remove() }
        let sealed = fixture.layouts[0]
        for offset in [72, 90, 103] {
            let dir = try fixture.copy()
            try TestFiles.flip(dir + "/" + sealed.name, at: sealed.footerPosition! + offset, mask: 0x01)
            for deep in [false, true] {
                let report = try LogVerifier(directory: dir, deep: deep).verify()
                let p = report.problem
                #expect(p?.code == .damaged && p?.file == sealed.name, "deep \(deep), byte \(offset): \(String(describing: p))")
                #expect(p.flatMap(\.position).map { sealed.footerRange!.contains(Int($0)) } == true,
                        "deep \(deep), byte \(offset): \(String(describing: p))")
                #expect(p?.message.contains("CRC") == true, "deep \(deep), byte \(offset): \(String(describing: p))")
            }
        }
    }

    @Test func aRewrittenRootWithItsCRCFixedUpFailsTheLinkToTheNextSegmentInTheNormalVerify() throws {
        let fixture = try SampleLogFixture(prefix: "ledger-verify-depth")
        defer { fixture.root.remove() }
        let dir = try fixture.copy()
        _ = try Self.rewriteRoot(fixture, in: dir, relink: false)
        let report = try LogVerifier(directory: dir, deep: false).verify()
        #expect(report.problem?.file == fixture.layouts[1].name && report.problem?.position == 64,
                "\(String(describing: report.problem))")
    }

    @Test func aRewrittenRootAndLinkWithFixedUpCRCsAreCaughtOnlyByTheDeepVerify() throws {
        let fixture = try SampleLogFixture(prefix: "ledger-verify-depth")
        defer { fixture.root.remove() }
        let dir = try fixture.copy()
        let (footerAt, _) = try Self.rewriteRoot(fixture, in: dir, relink: true)

        let normal = try LogVerifier(directory: dir, deep: false).verify()
        #expect(normal.ok, "normal verify: \(String(describing: normal.problem)) \(normal.indexProblems)")
        #expect(normal.events == UInt64(fixture.log.events.count) && normal.sealedSegments == 1)

        let deep = try LogVerifier(directory: dir, deep: true).verify()
        #expect(deep.problem?.code == .damaged && deep.problem?.file == fixture.layouts[0].name
                && deep.problem?.position == UInt64(footerAt + 72), "deep verify: \(String(describing: deep.problem))")
        #expect(deep.problem?.message.contains("Merkle root") == true)
    }

    @Test func bothDepthsVerifyTheSampleLogWithTheSameCounts() throws {
        let fixture = try SampleLogFixture(prefix: "ledger-verify-depth")
        defer { fixture.root.remove() }
        let dir = try fixture.copy()
        let normal = try LogVerifier(directory: dir, deep: false).verify()
        let deep = try LogVerifier(directory: dir, deep: true).verify()
        #expect(normal.ok && deep.ok)
        #expect(normal.events == deep.events && normal.batches == deep.batches && normal.decodedBytes == deep.decodedBytes)
        #expect(normal.head == deep.head && normal.sealedSegments == 1)
    }
}
