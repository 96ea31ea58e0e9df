/// The position in a POS change log: the highest id processed and the ids below it that were not
/// visible yet (gaps). A pure state machine: ``advance(polled:rechecked:now:rules:)`` takes what
/// one poll read and the time, and says which entries to process; no I/O, no clock of its own.
///
/// Why gaps: change-log ids are allocated when a transaction inserts its entry but become visible
/// only when it commits, so id 41 can appear after 42 was read. Reading `id > last` alone would
/// skip 41 for ever.
///
/// The rule:
/// * every id between the previous `lastID` and a newly read id that was not read is a gap, stamped
///   with the poll's time;
/// * every poll re-reads the gap ids (`POSDatabase.changes(ids:)`) and processes those that
///   appeared, in id order with the new entries;
/// * a gap is given up at the first poll that is at least ``Rules/overlapSeconds`` (5 minutes by
///   default) after it was first seen, *after* that poll's re-check, so even a syncer that was
///   stopped for a day re-checks every gap once before dropping it. An id that commits later than
///   that (a transaction open longer than the overlap window after a later one committed), or
///   one rolled back, is not read; the window bounds the state the cursor carries;
/// * when more than ``Rules/maxTrackedGapIDs`` ids are missing (an id jump, a huge rollback) the
///   lowest ids are given up first, so the cursor and the re-check query stay small;
/// * entries at or below `lastID` that are not in a gap were processed already and are ignored,
///   as are repeated ids within one poll.
public struct ChangeLogCursor: Sendable, Hashable {
    /// How long gaps are tracked and how many ids at most.
    public struct Rules: Sendable, Hashable {
        public var overlapSeconds: Int64
        public var maxTrackedGapIDs: Int64

        public init(overlapSeconds: Int64 = 300, maxTrackedGapIDs: Int64 = 100_000) {
            self.overlapSeconds = overlapSeconds
            self.maxTrackedGapIDs = maxTrackedGapIDs
        }
    }

    /// What one poll yields.
    public struct Step: Sendable, Hashable {
        /// Entries to process, in id order, each id once.
        public var entries: [ChangeLogEntry]
        /// The cursor after them.
        public var cursor: ChangeLogCursor
        /// Gap ids given up at this poll (for the log: these changes, if they ever commit, are missed).
        public var expired: [ClosedRange<Int64>]
    }

    /// The highest change-log id read.
    public var lastID: Int64
    /// Ids below `lastID` not read yet, ascending and disjoint.
    public var gaps: [ChangeLogGap]

    public init(lastID: Int64 = 0, gaps: [ChangeLogGap] = []) {
        self.lastID = lastID
        self.gaps = gaps
    }

    /// Every gap id, ascending: what the next poll re-checks.
    public var gapIDs: [Int64] { gaps.flatMap { Array($0.ids) } }

    public func isGap(_ id: Int64) -> Bool {
        gaps.contains { $0.ids.contains(id) }
    }

    /// Applies one poll: `polled` are entries with `id > lastID` (at most the poll's limit),
    /// `rechecked` the entries found for ``gapIDs``; `now` is the poll's time in seconds.
    public func advance(polled: [ChangeLogEntry], rechecked: [ChangeLogEntry], now: Int64, rules: Rules = Rules()) -> Step {
        var next = self
        var out: [ChangeLogEntry] = []
        var taken = Set<Int64>()
        // Gap ids that appeared, from either list.
        for e in (rechecked + polled) where e.id <= next.lastID && !taken.contains(e.id) && next.isGap(e.id) {
            next.removeGapID(e.id)
            taken.insert(e.id)
            out.append(e)
        }
        // New ids: what lies between them and the previous high mark becomes a gap.
        for e in polled.sorted(by: { $0.id < $1.id }) where e.id > next.lastID {
            if e.id > next.lastID + 1 {
                next.gaps.append(ChangeLogGap(ids: (next.lastID + 1)...(e.id - 1), firstSeen: now))
            }
            next.lastID = e.id
            taken.insert(e.id)
            out.append(e)
        }
        var expired: [ClosedRange<Int64>] = []
        next.gaps.removeAll { gap in
            guard now - gap.firstSeen >= rules.overlapSeconds else { return false }
            expired.append(gap.ids)
            return true
        }
        var excess = next.gaps.reduce(0) { $0 + $1.count } - max(0, rules.maxTrackedGapIDs)
        while excess > 0, let first = next.gaps.first {
            if first.count <= excess {
                expired.append(first.ids)
                next.gaps.removeFirst()
                excess -= first.count
            } else {
                let cut = first.ids.lowerBound + excess
                expired.append(first.ids.lowerBound...(cut - 1))
                next.gaps[0].ids = cut...first.ids.upperBound
                excess = 0
            }
        }
        out.sort { $0.id < $1.id }
        return Step(entries: out, cursor: next, expired: expired.sorted { $0.lowerBound < $1.lowerBound })
    }

    private mutating func removeGapID(_ id: Int64) {
        guard let i = gaps.firstIndex(where: { $0.ids.contains(id) }) else { return }
        let gap = gaps[i]
        var parts: [ChangeLogGap] = []
        if gap.ids.lowerBound < id { parts.append(ChangeLogGap(ids: gap.ids.lowerBound...(id - 1), firstSeen: gap.firstSeen)) }
        if id < gap.ids.upperBound { parts.append(ChangeLogGap(ids: (id + 1)...gap.ids.upperBound, firstSeen: gap.firstSeen)) }
        gaps.replaceSubrange(i...i, with: parts)
    }
}
