public import LedgerCore

extension ChangeLogCursor {
    /// Cursor fields: `last_id` (decimal) and `gaps`, a comma-separated list of `ID@SEEN` or
    /// `LOW-HIGH@SEEN` (ids inclusive, `SEEN` in Unix seconds), empty when there are none;
    /// for example `last_id=120, gaps=41@1795000000,45-47@1795000060`.
    public func write(into cursor: inout SourceCursor) {
        cursor["last_id"] = String(lastID)
        cursor["gaps"] = Self.encode(gaps)
    }

    /// Reads the fields ``write(into:)`` wrote; a missing `gaps` field means none.
    public init(reading cursor: SourceCursor) throws(SourceError) {
        guard let text = cursor["last_id"], let last = Int64(text), last >= 0 else {
            throw SourceError(.badInput, context: "change-log cursor", cause: "last_id missing or not a number")
        }
        let gaps = try Self.decode(cursor["gaps"] ?? "")
        guard gaps.allSatisfy({ $0.ids.upperBound < last }) else {
            throw SourceError(.badInput, context: "change-log cursor", cause: "a gap is not below last_id")
        }
        self.init(lastID: last, gaps: gaps)
    }

    static func encode(_ gaps: [ChangeLogGap]) -> String {
        gaps.map { g in
            let ids = g.ids.lowerBound == g.ids.upperBound ? "\(g.ids.lowerBound)" : "\(g.ids.lowerBound)-\(g.ids.upperBound)"
            return "\(ids)@\(g.firstSeen)"
        }.joined(separator: ",")
    }

    static func decode(_ text: String) throws(SourceError) -> [ChangeLogGap] {
        if text.isEmpty { return [] }
        var gaps: [ChangeLogGap] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let halves = part.split(separator: "@", omittingEmptySubsequences: false)
            let bounds = halves.first?.split(separator: "-", omittingEmptySubsequences: false) ?? []
            guard halves.count == 2, let seen = Int64(halves[1]), (1...2).contains(bounds.count),
                  let low = Int64(bounds[0]), let high = Int64(bounds[bounds.count - 1]), 0 < low, low <= high
            else {
                throw SourceError(.badInput, context: "change-log cursor", cause: "bad gap \"\(part)\"")
            }
            gaps.append(ChangeLogGap(ids: low...high, firstSeen: seen))
        }
        gaps.sort { $0.ids.lowerBound < $1.ids.lowerBound }
        for (a, b) in zip(gaps, gaps.dropFirst()) where a.ids.upperBound >= b.ids.lowerBound {
            throw SourceError(.badInput, context: "change-log cursor", cause: "overlapping gaps")
        }
        return gaps
    }
}
