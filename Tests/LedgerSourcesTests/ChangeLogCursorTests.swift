import LedgerCore
import LedgerSources
import Testing

@Suite struct ChangeLogCursorTests {
    func entry(_ id: Int64, _ pk: String = "1", op: ChangeLogEntry.Op = .update) -> ChangeLogEntry {
        ChangeLogEntry(id: id, table: "sales", pk: pk, op: op, changeTime: "2026-01-01 08:00:00")
    }

    let rules = ChangeLogCursor.Rules(overlapSeconds: 300)

    @Test func contiguousIDsLeaveNoGaps() {
        let step = ChangeLogCursor().advance(polled: (1...5).map { entry($0) }, rechecked: [], now: 1000, rules: rules)
        #expect(step.entries.map(\.id) == [1, 2, 3, 4, 5])
        #expect(step.cursor == ChangeLogCursor(lastID: 5))
        #expect(step.expired.isEmpty)
    }

    @Test func emptyPollChangesNothing() {
        let c = ChangeLogCursor(lastID: 7, gaps: [ChangeLogGap(ids: 3...4, firstSeen: 1000)])
        let step = c.advance(polled: [], rechecked: [], now: 1100, rules: rules)
        #expect(step.entries.isEmpty)
        #expect(step.cursor == c)
        #expect(step.cursor.gapIDs == [3, 4])
    }

    @Test func lateCommitBelowTheMarkIsProcessedWhenItAppears() {
        // 42 is visible, 41 is not yet: 41 becomes a gap.
        let first = ChangeLogCursor(lastID: 40).advance(polled: [entry(42)], rechecked: [], now: 1000, rules: rules)
        #expect(first.entries.map(\.id) == [42])
        #expect(first.cursor.lastID == 42)
        #expect(first.cursor.gaps == [ChangeLogGap(ids: 41...41, firstSeen: 1000)])
        #expect(first.cursor.gapIDs == [41])
        // Next poll: 41 committed, 43 is new; both processed in id order.
        let second = first.cursor.advance(polled: [entry(43)], rechecked: [entry(41)], now: 1010, rules: rules)
        #expect(second.entries.map(\.id) == [41, 43])
        #expect(second.cursor == ChangeLogCursor(lastID: 43))
    }

    @Test func gapInsideARangeSplitsIt() {
        let first = ChangeLogCursor(lastID: 0).advance(polled: [entry(1), entry(6)], rechecked: [], now: 1000, rules: rules)
        #expect(first.cursor.gaps == [ChangeLogGap(ids: 2...5, firstSeen: 1000)])
        let second = first.cursor.advance(polled: [], rechecked: [entry(4)], now: 1001, rules: rules)
        #expect(second.entries.map(\.id) == [4])
        #expect(second.cursor.gaps == [ChangeLogGap(ids: 2...3, firstSeen: 1000), ChangeLogGap(ids: 5...5, firstSeen: 1000)])
        #expect(second.cursor.gapIDs == [2, 3, 5])
    }

    @Test func gapExpiresAfterTheOverlapWindowAfterOneLastRecheck() {
        let c = ChangeLogCursor(lastID: 10, gaps: [ChangeLogGap(ids: 5...6, firstSeen: 1000), ChangeLogGap(ids: 8...8, firstSeen: 1200)])
        // 299 s later: still tracked.
        let early = c.advance(polled: [], rechecked: [], now: 1299, rules: rules)
        #expect(early.cursor.gaps == c.gaps)
        #expect(early.expired.isEmpty)
        // 300 s: the gap seen at 1000 is re-checked (6 appeared) and the rest given up; the other stays.
        let due = c.advance(polled: [], rechecked: [entry(6)], now: 1300, rules: rules)
        #expect(due.entries.map(\.id) == [6])
        #expect(due.expired == [5...5])
        #expect(due.cursor == ChangeLogCursor(lastID: 10, gaps: [ChangeLogGap(ids: 8...8, firstSeen: 1200)]))
        // After a long stop, one poll re-checks every gap before dropping it.
        let late = c.advance(polled: [entry(11)], rechecked: [entry(8)], now: 100_000, rules: rules)
        #expect(late.entries.map(\.id) == [8, 11])
        #expect(late.expired == [5...6])
        #expect(late.cursor == ChangeLogCursor(lastID: 11))
    }

    @Test func zeroOverlapTracksNoGaps() {
        let step = ChangeLogCursor(lastID: 0).advance(polled: [entry(3)], rechecked: [], now: 5, rules: .init(overlapSeconds: 0))
        #expect(step.entries.map(\.id) == [3])
        #expect(step.cursor == ChangeLogCursor(lastID: 3))
        #expect(step.expired == [1...2])
    }

    @Test func duplicatesAndAlreadyProcessedIDsAreIgnored() {
        let c = ChangeLogCursor(lastID: 10, gaps: [ChangeLogGap(ids: 7...7, firstSeen: 1000)])
        // 9 was processed before (not a gap); 12 comes twice; 7 comes in both lists.
        let step = c.advance(polled: [entry(12), entry(9), entry(12), entry(11), entry(7)], rechecked: [entry(7), entry(7)], now: 1001, rules: rules)
        #expect(step.entries.map(\.id) == [7, 11, 12])
        #expect(step.cursor == ChangeLogCursor(lastID: 12))
    }

    @Test func manyChangesWithTheSameTimeAreAllProcessed() {
        let same = (1...1000).map { ChangeLogEntry(id: $0, table: "sales", pk: "\($0 % 17)", op: .update, changeTime: "2026-01-01 09:00:00") }
        var c = ChangeLogCursor()
        var seen: [Int64] = []
        for chunk in stride(from: 0, to: same.count, by: 100) {
            let step = c.advance(polled: Array(same[chunk..<chunk + 100]), rechecked: [], now: 1000, rules: rules)
            seen += step.entries.map(\.id)
            c = step.cursor
        }
        #expect(seen == Array(1...1000))
        #expect(c == ChangeLogCursor(lastID: 1000))
    }

    @Test func gapCapGivesUpTheLowestIDsFirst() {
        let step = ChangeLogCursor(lastID: 0).advance(polled: [entry(1_000_001)], rechecked: [], now: 5,
                                                      rules: .init(overlapSeconds: 300, maxTrackedGapIDs: 1000))
        #expect(step.expired == [1...999_000])
        #expect(step.cursor.gaps == [ChangeLogGap(ids: 999_001...1_000_000, firstSeen: 5)])
        #expect(step.cursor.gapIDs.count == 1000)
    }

    @Test func cursorRoundTripsThroughSourceCursor() throws {
        let cursors = [
            ChangeLogCursor(),
            ChangeLogCursor(lastID: 120),
            ChangeLogCursor(lastID: 120, gaps: [ChangeLogGap(ids: 41...41, firstSeen: 1_795_000_000),
                                                ChangeLogGap(ids: 45...47, firstSeen: 1_795_000_060)]),
        ]
        for c in cursors {
            var sc = SourceCursor(["phase": "changes"])
            c.write(into: &sc)
            #expect(try ChangeLogCursor(reading: sc) == c)
        }
        var sc = SourceCursor()
        cursors[2].write(into: &sc)
        #expect(sc["last_id"] == "120")
        #expect(sc["gaps"] == "41@1795000000,45-47@1795000060")
    }

    @Test func restartFromAnEncodedCursorContinuesTheSameGaps() throws {
        let first = ChangeLogCursor(lastID: 0).advance(polled: [entry(1), entry(3)], rechecked: [], now: 1000, rules: rules)
        var saved = SourceCursor()
        first.cursor.write(into: &saved)
        let restored = try ChangeLogCursor(reading: saved)
        let second = restored.advance(polled: [entry(4)], rechecked: [entry(2)], now: 1100, rules: rules)
        #expect(second.entries.map(\.id) == [2, 4])
        #expect(second.cursor == ChangeLogCursor(lastID: 4))
    }

    @Test func badCursorsAreRejected() {
        for fields in [["gaps": ""], ["last_id": "x"], ["last_id": "10", "gaps": "3-2@5"], ["last_id": "10", "gaps": "4@"],
                       ["last_id": "10", "gaps": "12@5"], ["last_id": "10", "gaps": "2-5@1,4@1"]] {
            #expect(throws: SourceError.self) { try ChangeLogCursor(reading: SourceCursor(fields)) }
        }
    }
}
